#pragma once
// Test helpers for running the real executables: a temporary directory that cleans itself up,
// running a command to completion with its output captured, and a background child process.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/types.h>

namespace uchet::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv[0] (a path) with the arguments and optional stdin text; waits for it to finish.
RunResult run(const std::vector<std::string>& argv, const std::string& stdin_text = "");

// A child process running in the background; killed (SIGTERM, then SIGKILL) when destroyed.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_file);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  pid_t pid() const { return pid_; }
  bool running();
  void signal(int signo);
  // Waits for exit up to `timeout`; returns the exit status (or -signal), or nullopt-like -1000.
  int wait_exit(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int status_ = -1000;
};

// Path of uchet's executable "UCHETD", "UCHETCTL" or "UCHET_SIM" (uchet-sim): the build's own, unless an environment
// variable of that name points elsewhere.
std::string executable_from_env(const char* name);

// A TCP or UDP port on 127.0.0.1 that was free a moment ago.
int free_port(bool udp = false);

// Reads a whole file.
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);

// What the sqlite3 shell prints for `sql` on the database file `db` (waiting up to 5 s for a
// lock); for a postgresql:// location, what psql prints in the same form (unaligned, rows only,
// columns separated by '|'). Throws std::runtime_error with its stderr when it fails.
std::string sqlite_query(const std::string& db, const std::string& sql);

}  // namespace uchet::test
