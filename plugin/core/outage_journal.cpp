#include "outage_journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace creditgate {
namespace {

std::runtime_error journalError(const std::string& what, const std::string& path) {
  return std::runtime_error("outage journal " + path + ": " + what + ": " + std::strerror(errno));
}

}  // namespace

OutageJournal::OutageJournal(std::string path) : path_(std::move(path)) {
  load();
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw journalError("cannot open", path_);
}

OutageJournal::~OutageJournal() {
  if (fd_ >= 0) ::close(fd_);
}

void OutageJournal::load() {
  std::ifstream in(path_);
  if (!in) return;  // no journal yet
  std::string line;
  while (std::getline(in, line)) {
    boost::system::error_code error;
    const boost::json::value value = boost::json::parse(line, error);
    // A torn last line (a crash mid-append) was never acknowledged: its batch was not allowed.
    if (error || !value.is_object()) continue;
    const boost::json::object& o = value.as_object();
    const auto seq = static_cast<std::uint64_t>(o.at("seq").as_int64());
    next_seq_ = std::max(next_seq_, seq + 1);
    if (o.at("type").as_string() == "done") {
      if (auto it = pending_.find(seq); it != pending_.end()) {
        pending_by_tenant_[it->second.tenant_id] -= it->second.price_micros;
        pending_.erase(it);
      }
      continue;
    }
    Entry entry{seq, std::string(o.at("tenant").as_string()),
                std::string(o.at("currency").as_string()), o.at("price").as_int64(),
                boost::json::serialize(o.at("request"))};
    pending_by_tenant_[entry.tenant_id] += entry.price_micros;
    pending_.emplace(seq, std::move(entry));
  }
}

void OutageJournal::writeLine(const std::string& line) {
  const std::string record = line + "\n";
  if (::write(fd_, record.data(), record.size()) != static_cast<ssize_t>(record.size())) {
    throw journalError("cannot append", path_);
  }
  if (::fdatasync(fd_) != 0) throw journalError("cannot fsync", path_);
}

std::optional<std::uint64_t> OutageJournal::append(const std::string& tenant_id,
                                                   const std::string& currency,
                                                   std::int64_t price_micros,
                                                   const std::string& request_json,
                                                   std::int64_t cap_micros) {
  std::lock_guard lock(mutex_);
  const std::int64_t already = pending_by_tenant_[tenant_id];
  if (already > cap_micros - price_micros) return std::nullopt;
  const std::uint64_t seq = next_seq_++;
  boost::json::object o;
  o["type"] = "batch";
  o["seq"] = static_cast<std::int64_t>(seq);
  o["tenant"] = tenant_id;
  o["currency"] = currency;
  o["price"] = price_micros;
  o["request"] = boost::json::parse(request_json);
  writeLine(boost::json::serialize(o));  // durable before the batch is allowed
  pending_by_tenant_[tenant_id] = already + price_micros;
  pending_.emplace(seq, Entry{seq, tenant_id, currency, price_micros, request_json});
  return seq;
}

void OutageJournal::markDone(std::uint64_t seq) {
  std::lock_guard lock(mutex_);
  auto it = pending_.find(seq);
  if (it == pending_.end()) return;
  writeLine("{\"type\":\"done\",\"seq\":" + std::to_string(seq) + "}");
  pending_by_tenant_[it->second.tenant_id] -= it->second.price_micros;
  pending_.erase(it);
  if (pending_.empty()) {
    // Everything is in the ledger: start the file afresh so it never grows without bound.
    if (::ftruncate(fd_, 0) != 0 || ::fdatasync(fd_) != 0) throw journalError("cannot compact", path_);
    pending_by_tenant_.clear();
  }
}

std::vector<OutageJournal::Entry> OutageJournal::pending() const {
  std::lock_guard lock(mutex_);
  std::vector<Entry> out;
  for (const auto& [seq, entry] : pending_) out.push_back(entry);
  return out;
}

std::int64_t OutageJournal::pendingMicros(const std::string& tenant_id) const {
  std::lock_guard lock(mutex_);
  const auto it = pending_by_tenant_.find(tenant_id);
  return it == pending_by_tenant_.end() ? 0 : it->second;
}

}  // namespace creditgate
