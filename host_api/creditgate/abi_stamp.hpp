// The ABI stamp: checked by the host before it touches anything else in a plugin, the way nginx
// compares module signatures and Redis checks its module API version. The host API passes C++ types
// (std::string_view, std::span, std::vector, virtual calls) across the boundary, so the plugin must be
// built against the same API version, with the same struct layouts, by a compatible compiler and
// standard library. A mismatch is refused with a message naming both sides.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "creditgate/host_api.hpp"

namespace creditgate::api {

inline constexpr std::size_t kSignatureSize = 64;

// Exported by every plugin as the extern "C" object kAbiStampSymbol. The first field is the size,
// so the stamp itself can grow.
struct AbiStamp {
  std::uint32_t stamp_size;
  std::uint32_t api_version;
  std::uint32_t sizeof_batch;
  std::uint32_t sizeof_verdict;
  std::uint32_t sizeof_quote;
  std::uint32_t sizeof_outcome_report;
  std::uint32_t sizeof_settlement;
  std::uint32_t sizeof_plugin_context;
  char compiler[kSignatureSize];  // e.g. "gcc 12.2.0"
  char stdlib[kSignatureSize];    // e.g. "libstdc++ 20220819 cxx11-abi=1"
};

namespace detail {
#define CREDITGATE_STR2(x) #x
#define CREDITGATE_STR(x) CREDITGATE_STR2(x)
#if defined(__clang__)
inline constexpr char kCompiler[] = "clang " __clang_version__;
#elif defined(__GNUC__)
inline constexpr char kCompiler[] = "gcc " __VERSION__;
#else
inline constexpr char kCompiler[] = "unknown";
#endif
#if defined(__GLIBCXX__)
inline constexpr char kStdlib[] =
    "libstdc++ " CREDITGATE_STR(__GLIBCXX__) " cxx11-abi=" CREDITGATE_STR(_GLIBCXX_USE_CXX11_ABI);
#elif defined(_LIBCPP_VERSION)
inline constexpr char kStdlib[] = "libc++ " CREDITGATE_STR(_LIBCPP_VERSION);
#else
inline constexpr char kStdlib[] = "unknown";
#endif
#undef CREDITGATE_STR
#undef CREDITGATE_STR2

template <std::size_t N>
constexpr void copySignature(char (&out)[kSignatureSize], const char (&in)[N]) {
  static_assert(N <= kSignatureSize, "signature too long for the ABI stamp");
  for (std::size_t i = 0; i < N; ++i) out[i] = in[i];
}
}  // namespace detail

// The stamp of whatever translation unit includes this header: the host's own, or the plugin's.
constexpr AbiStamp makeAbiStamp() {
  AbiStamp stamp{};
  stamp.stamp_size = sizeof(AbiStamp);
  stamp.api_version = kApiVersion;
  stamp.sizeof_batch = sizeof(Batch);
  stamp.sizeof_verdict = sizeof(Verdict);
  stamp.sizeof_quote = sizeof(Quote);
  stamp.sizeof_outcome_report = sizeof(OutcomeReport);
  stamp.sizeof_settlement = sizeof(Settlement);
  stamp.sizeof_plugin_context = sizeof(PluginContext);
  detail::copySignature(stamp.compiler, detail::kCompiler);
  detail::copySignature(stamp.stdlib, detail::kStdlib);
  return stamp;
}

// Empty when the plugin's stamp matches the host's; otherwise one line naming every difference with
// both sides, e.g. "api_version: plugin 2, host 1".
inline std::string describeAbiMismatch(const AbiStamp& plugin, const AbiStamp& host) {
  std::string out;
  auto add = [&out](const char* field, const std::string& p, const std::string& h) {
    if (p == h) return;
    if (!out.empty()) out += "; ";
    out += std::string(field) + ": plugin " + p + ", host " + h;
  };
  auto text = [](const char* s) { return std::string(s, ::strnlen(s, kSignatureSize)); };
  add("stamp_size", std::to_string(plugin.stamp_size), std::to_string(host.stamp_size));
  if (plugin.stamp_size != host.stamp_size) return out;  // the rest cannot be read safely
  add("api_version", std::to_string(plugin.api_version), std::to_string(host.api_version));
  add("sizeof(Batch)", std::to_string(plugin.sizeof_batch), std::to_string(host.sizeof_batch));
  add("sizeof(Verdict)", std::to_string(plugin.sizeof_verdict), std::to_string(host.sizeof_verdict));
  add("sizeof(Quote)", std::to_string(plugin.sizeof_quote), std::to_string(host.sizeof_quote));
  add("sizeof(OutcomeReport)", std::to_string(plugin.sizeof_outcome_report),
      std::to_string(host.sizeof_outcome_report));
  add("sizeof(Settlement)", std::to_string(plugin.sizeof_settlement),
      std::to_string(host.sizeof_settlement));
  add("sizeof(PluginContext)", std::to_string(plugin.sizeof_plugin_context),
      std::to_string(host.sizeof_plugin_context));
  add("compiler", text(plugin.compiler), text(host.compiler));
  add("stdlib", text(plugin.stdlib), text(host.stdlib));
  return out;
}

}  // namespace creditgate::api
