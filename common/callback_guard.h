#pragma once
// Contract: a callback that C code (libmosquitto) or an event loop (Boost.Asio) calls must never
// let an exception out: from libmosquitto's thread it would terminate the process, from an
// io_context handler it would end io.run() and so the daemon. run_guarded() runs the work,
// catches everything, counts it and logs it at most once a minute per call site (`what`, a
// string literal naming the site), with the number of failures left unlogged in between.
// Thread-safe: callable from any thread at once.
#include <cstdint>
#include <exception>
#include <utility>

namespace uchet::common {

// Logs a failure of `what` (rate-limited as above) and counts it; never throws.
void report_callback_failure(const char* what, const char* why) noexcept;
// All failures caught by run_guarded since the start of the process.
std::uint64_t callback_failures() noexcept;

template <class Work>
void run_guarded(const char* what, Work&& work) noexcept {
  try {
    std::forward<Work>(work)();
  } catch (const std::exception& e) {
    report_callback_failure(what, e.what());
  } catch (...) {
    report_callback_failure(what, "unknown exception");
  }
}

}  // namespace uchet::common
