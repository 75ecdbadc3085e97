// findBatchProblem and e164Problem on arbitrary batches. The input is split at '\n' into tenant_id,
// batch_id, campaign_id, template_name, category, then one recipient per line (the seeds in
// fuzz/corpus/batch_fuzz read that way). Besides not crashing:
//  - a problem's detail is printable ASCII and fits the Verdict's detail field whole (with its NUL);
//  - an E.164 problem is printable ASCII and at most 120 bytes, as recipient.hpp promises;
//  - a recipient e164Problem accepts is '+' and 7 to 15 digits starting with an assigned calling
//    code (checked here by a plain search of the list, not the plugin's index);
//  - a batch without a problem has only valid, distinct recipients.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "batch_validation.hpp"
#include "calling_codes.hpp"
#include "creditgate/host_api.hpp"
#include "fuzz_check.hpp"
#include "recipient.hpp"

namespace {

using creditgate::fuzz::check;
using creditgate::fuzz::printableAscii;

constexpr std::uint32_t kMaxRecipients = 16;  // small, so that too_many_recipients is reachable
constexpr std::size_t kMaxE164Problem = 120;

bool validE164(std::string_view text) {
  if (text.size() < 8 || text.size() > 16 || text[0] != '+' || text[1] == '0') return false;
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  for (const std::uint16_t code : creditgate::assignedCallingCodes()) {
    if (text.substr(1).starts_with(std::to_string(code))) return true;
  }
  return false;
}

// e164Problem's promises, for one candidate; true when it accepted it.
bool checkRecipient(std::string_view text) {
  const auto problem = creditgate::e164Problem(text);
  if (!problem) {
    check(validE164(text), "e164Problem accepts only '+' and 7..15 digits, assigned code first",
          std::string(text));
    return true;
  }
  check(!validE164(text), "e164Problem refuses nothing valid", *problem);
  check(printableAscii(*problem), "an E.164 problem is printable ASCII", *problem);
  check(problem->size() <= kMaxE164Problem, "an E.164 problem is at most 120 bytes", *problem);
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> fields;
  for (std::size_t begin = 0;;) {
    const std::size_t end = input.find('\n', begin);
    fields.push_back(input.substr(begin, end == std::string_view::npos ? end : end - begin));
    if (end == std::string_view::npos) break;
    begin = end + 1;
  }
  checkRecipient(input);  // the whole input, newlines and all
  fields.resize(std::max<std::size_t>(fields.size(), 5));

  const std::vector<std::string_view> recipients(fields.begin() + 5, fields.end());
  const creditgate::api::Batch batch{fields[0], fields[1], fields[2], fields[3], fields[4],
                                     recipients};
  creditgate::Category category{};
  const auto problem = creditgate::findBatchProblem(batch, kMaxRecipients, category);

  std::set<std::string_view> distinct;
  bool all_valid = true;
  for (const std::string_view recipient : recipients) {
    all_valid = checkRecipient(recipient) && all_valid;
    distinct.insert(recipient);
  }
  if (problem) {
    check(printableAscii(problem->detail), "a batch problem's detail is printable ASCII",
          problem->detail);
    check(problem->detail.size() < creditgate::api::kDetailSize,
          "a batch problem's detail fits the Verdict's detail field", problem->detail);
  } else {
    check(all_valid, "an accepted batch has only valid recipients");
    check(distinct.size() == recipients.size(), "an accepted batch has distinct recipients");
    check(!recipients.empty() && recipients.size() <= kMaxRecipients,
          "an accepted batch has 1..max_batch_recipients recipients");
  }
  return 0;
}
