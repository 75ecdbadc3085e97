#include "outreach_run.hpp"

#include <cstdio>
#include <cstdlib>

namespace sample_gateway {
namespace api = creditgate::api;

namespace {

void writeLine(std::FILE* stream, const std::string& line) {
  std::string text = line + "\n";
  std::fwrite(text.data(), 1, text.size(), stream);
  std::fflush(stream);
}

}  // namespace

void printError(const std::string& line) {
  writeLine(stderr, line);
}

OutreachRun::OutreachRun(api::CreditGate& gate, const GatewayConfig& config, Shutdown& shutdown,
                         BatchColumns columns, BatchLines lines)
    : columns_(columns),
      lines_(lines),
      clock_(shutdown),
      reports_(gate, config.report_retry, *this),
      outreach_(gate, DeliverySimulation(config.delivery_failure_percent), config.decide_retry,
                clock_, reports_) {}

void OutreachRun::send(const OutreachBatch& batch) {
  ++in_flight_;
  BatchResult result = outreach_.send(batch);
  std::string line = lines_ == BatchLines::every || unusual(result)
                         ? formatBatchLine(result, columns_)
                         : std::string();
  {
    std::lock_guard lock(mutex_);
    tenants_.add(result);
    run_.add(result);
    if (!line.empty()) writeLine(stdout, line);
  }
  --in_flight_;
}

bool OutreachRun::unusual(const BatchResult& result) const {
  return result.decision.retried() || result.decision.end != DecisionTrail::End::answered ||
         result.report_deferred || (result.settlement && result.settlement->journaled) ||
         result.verdict().reason == api::Reason::internal_error;
}

void OutreachRun::reportAccepted(const PendingReport& report, const api::Settlement& settlement,
                                 unsigned attempts) {
  std::string line = formatReportAcceptedLine(report, settlement, attempts, columns_);
  std::lock_guard lock(mutex_);
  tenants_.addAcceptedReport(report.tenant_id, settlement);
  run_.addAcceptedReport(settlement);
  writeLine(stdout, line);
}

void OutreachRun::reportNotAccepted(const UnacceptedReport& unaccepted) {
  std::string line = formatReportNotAcceptedLine(unaccepted);
  {
    std::lock_guard lock(mutex_);
    run_.addUnacceptedReport();
  }
  printError(line);
}

OutreachRun::End OutreachRun::finish() {
  if (std::size_t pending = reports_.pending(); pending > 0) {
    print("waiting for " + std::to_string(pending) + " refused reports to be re-sent");
  }
  std::vector<UnacceptedReport> unaccepted = reports_.finish();
  // Said when each ran out of time too; said again here, where the run ends, so none is missed.
  for (const UnacceptedReport& report : unaccepted) printError(formatReportNotAcceptedLine(report));
  std::lock_guard lock(mutex_);
  return End{tenants_.sawInternalError(), unaccepted.size()};
}

void OutreachRun::print(const std::string& line) {
  std::lock_guard lock(mutex_);
  writeLine(stdout, line);
}

RunTotals OutreachRun::totals() const {
  std::lock_guard lock(mutex_);
  return run_;
}

std::string OutreachRun::tenantSummary() const {
  std::lock_guard lock(mutex_);
  return tenants_.summaryText();
}

void OutreachRun::exitAtOnce(const std::string& why, int status) {
  std::vector<UnacceptedReport> unaccepted = reports_.unaccepted();
  printError("sample_gateway: " + why + ": exiting at once, leaving unfinished: batches in flight " +
             std::to_string(in_flight_.load()) + ", reports not accepted " +
             std::to_string(unaccepted.size()));
  for (const UnacceptedReport& report : unaccepted) printError(formatReportNotAcceptedLine(report));
  std::fflush(stdout);
  std::_Exit(status);  // no destructors: threads are mid-call into the plugin
}

}  // namespace sample_gateway
