// A plugin whose gate answers what a test scripts (scripted_gate.hpp), loaded by the real
// sample_gateway through the real loader: the host contract's rare answers (ledger_in_doubt,
// refused or journaled reports) seen end to end, as an operator would see them.
//
// Its config file: {"decide": ["ledger_in_doubt", "allow"], "report": ["ledger_unavailable", "ok"]}
// answered in turn over the whole process, the last one for ever. decide: "allow" (every
// recipient), "allow_replayed", or a reason code (block with it). report: "ok", "journaled", or a
// reason code (not ok, with it).
#include <boost/dll/alias.hpp>
#include <boost/json/parse.hpp>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "creditgate/abi_stamp.hpp"
#include "scripted_gate.hpp"

extern "C" BOOST_SYMBOL_EXPORT const creditgate::api::AbiStamp creditgate_abi_stamp =
    creditgate::api::makeAbiStamp();

namespace sample_gateway::testing {
namespace {

constexpr std::uint32_t kEveryRecipient = 1'000'000;  // the host sends min(this, batch size)

api::Reason reasonNamed(std::string_view code) {
  for (int r = 0; r <= static_cast<int>(api::kLastReason); ++r) {
    if (code == api::reasonCode(static_cast<api::Reason>(r))) return static_cast<api::Reason>(r);
  }
  throw std::runtime_error("scripted plugin: no reason code " + std::string(code));
}

api::Verdict decideAnswer(std::string_view word) {
  if (word == "allow") return verdict(api::Decision::allow, api::Reason::ok, kEveryRecipient);
  if (word == "allow_replayed") {
    return verdict(api::Decision::allow, api::Reason::ok, kEveryRecipient, true);
  }
  return verdict(api::Decision::block, reasonNamed(word));
}

api::Settlement reportAnswer(std::string_view word) {
  if (word == "ok") return settled(1, 61'800);
  if (word == "journaled") return journaled();
  return refused(reasonNamed(word));
}

std::unique_ptr<api::CreditGate> createGate(const api::PluginContext& context, std::string& error) {
  try {
    std::ifstream in{std::string(context.config_path)};
    std::string text{std::istreambuf_iterator<char>(in), {}};
    boost::json::object script = boost::json::parse(text).as_object();
    auto gate = std::make_unique<ScriptedGate>();
    std::vector<api::Verdict> decides;
    for (const auto& word : script.at("decide").as_array()) {
      decides.push_back(decideAnswer(word.as_string()));
    }
    std::vector<api::Settlement> reports;
    for (const auto& word : script.at("report").as_array()) {
      reports.push_back(reportAnswer(word.as_string()));
    }
    gate->answerDecide(std::move(decides));
    gate->answerReport(std::move(reports));
    return gate;
  } catch (const std::exception& e) {
    error = std::string("scripted plugin: ") + e.what();
    return nullptr;
  }
}

}  // namespace
}  // namespace sample_gateway::testing

BOOST_DLL_ALIAS(sample_gateway::testing::createGate, creditgate_create_gate)
