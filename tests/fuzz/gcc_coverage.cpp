// Coverage feedback for libFuzzer from g++'s -fsanitize-coverage=trace-pc (fuzz build only,
// compiled without that flag). Debian 12's clang 14 cannot compile uchet (std::expected needs
// C++20 conditionally trivial special members, which clang gained in version 16), and g++ has no
// -fsanitize=fuzzer; so the fuzz build is g++ with ASan/UBSan and trace-pc/trace-cmp, linked with
// clang's libFuzzer runtime (libclang-rt-14-dev). libFuzzer 14 no longer reads trace-pc itself;
// this hook counts each instrumented block's return address, hashed, in libFuzzer's "extra
// counters" section, which it does read: new blocks reached are new coverage (docs/fuzzing.md).
#include <cstdint>

extern "C" {

__attribute__((section("__libfuzzer_extra_counters"))) std::uint8_t uchet_fuzz_block_counters[1 << 16];

// Not instrumented itself (that would recurse), not sanitized (it runs for every block).
__attribute__((no_sanitize_coverage, no_sanitize("address", "undefined"))) void __sanitizer_cov_trace_pc() {
  const auto pc = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
  auto& counter = uchet_fuzz_block_counters[(pc ^ (pc >> 16)) & 0xffff];
  counter = static_cast<std::uint8_t>(counter + 1);
}

// g++'s trace-cmp also reports floating-point comparisons, which libFuzzer has no hook for (it
// traces integer comparisons only): accepted and ignored.
__attribute__((no_sanitize_coverage)) void __sanitizer_cov_trace_cmpf(float, float) {}
__attribute__((no_sanitize_coverage)) void __sanitizer_cov_trace_cmpd(double, double) {}

}  // extern "C"
