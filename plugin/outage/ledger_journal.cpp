#include "ledger_journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string_view>

namespace creditgate {
namespace {

namespace json = boost::json;

// The record version this code writes and reads. Records without "v" are the first journal's
// ("type": "batch", an outage decision); a newer version is refused, never misread.
constexpr std::int64_t kRecordVersion = 1;

std::runtime_error journalError(const std::string& what, const std::string& path) {
  return std::runtime_error("outage journal " + path + ": " + what + ": " + std::strerror(errno));
}

std::string text(const json::object& o, const char* key) {
  return std::string(o.at(key).as_string());
}

// The entry a record describes; throws (std::exception) when the record is not one.
LedgerJournal::Entry entryFromRecord(const json::object& o) {
  LedgerJournal::Entry entry;
  entry.seq = static_cast<std::uint64_t>(o.at("seq").as_int64());
  entry.tenant_id = text(o, "tenant");
  const std::string type = text(o, "type");
  if (type == "decision" || type == "batch") {
    entry.kind = LedgerJournal::Kind::decision;
    entry.currency = text(o, "currency");
    entry.price_micros = o.at("price").as_int64();
    const json::object& request = o.at("request").as_object();
    entry.batch_id = std::string(request.at("batch_id").as_string());
    entry.request_json = json::serialize(request);
  } else if (type == "outcomes") {
    entry.kind = LedgerJournal::Kind::outcomes;
    entry.batch_id = text(o, "batch");
    for (const json::value& pair : o.at("outcomes").as_array()) {
      const json::array& p = pair.as_array();
      entry.outcomes.push_back({std::string(p.at(0).as_string()), p.at(1).as_bool()});
    }
  } else if (type == "doubt") {
    entry.kind = LedgerJournal::Kind::doubt;
    entry.batch_id = text(o, "batch");
    entry.attempt_id = o.at("attempt").as_int64();
  } else {
    throw std::invalid_argument("unknown record type " + type);
  }
  return entry;
}

}  // namespace

const char* journalKindName(LedgerJournal::Kind kind) noexcept {
  switch (kind) {
    case LedgerJournal::Kind::decision: return "decision";
    case LedgerJournal::Kind::outcomes: return "outcomes";
    case LedgerJournal::Kind::doubt: return "doubt";
  }
  return "decision";
}

std::string journalRecordJson(const LedgerJournal::Entry& entry) {
  json::object o;
  o["v"] = kRecordVersion;
  o["type"] = journalKindName(entry.kind);
  o["seq"] = static_cast<std::int64_t>(entry.seq);
  o["tenant"] = entry.tenant_id;
  switch (entry.kind) {
    case LedgerJournal::Kind::decision:
      o["currency"] = entry.currency;
      o["price"] = entry.price_micros;
      o["request"] = json::parse(entry.request_json);
      break;
    case LedgerJournal::Kind::outcomes: {
      o["batch"] = entry.batch_id;
      json::array outcomes;
      for (const auto& outcome : entry.outcomes) {
        outcomes.push_back(json::array{json::string(outcome.recipient), outcome.delivered});
      }
      o["outcomes"] = std::move(outcomes);
      break;
    }
    case LedgerJournal::Kind::doubt:
      o["batch"] = entry.batch_id;
      o["attempt"] = entry.attempt_id;
      break;
  }
  return json::serialize(o);
}

LedgerJournal::LedgerJournal(std::string path) : path_(std::move(path)) {
  if (path_.empty()) return;  // in memory only
  fd_ = ::open(path_.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw journalError("cannot open", path_);
  // Locked before it is read: two gateway processes on one file would replay each other's entries
  // and interleave their writes.
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd_);
    fd_ = -1;
    errno = error;
    throw journalError(error == EWOULDBLOCK ? "is in use by another gateway process (one process "
                                              "per journal file)"
                                            : "cannot lock",
                       path_);
  }
  try {
    load();
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
}

LedgerJournal::~LedgerJournal() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

void LedgerJournal::load() {
  std::ifstream in(path_, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Every record ends with its newline, written by the same write() and fsynced before the host is
  // answered. Bytes after the last newline are a crash mid-append, never acknowledged: they are cut
  // off, or the next record would be glued to them and lost with them.
  const std::size_t complete = content.rfind('\n') + 1;  // 0 when there is no newline at all
  if (complete < content.size()) {
    if (::ftruncate(fd_, static_cast<off_t>(complete)) != 0) {
      throw journalError("cannot cut off a torn last record", path_);
    }
    content.resize(complete);
  }
  std::size_t line_number = 0;
  for (std::size_t start = 0; start < content.size();) {
    const std::size_t end = content.find('\n', start);
    const std::string_view line(content.data() + start, end - start);
    start = end + 1;
    const std::string where = "line " + std::to_string(++line_number);
    boost::system::error_code error;
    const json::value value = json::parse(line, error);
    if (error || !value.is_object()) {
      throw std::runtime_error("outage journal " + path_ + ": " + where +
                               " is not a journal record; the file was changed by something else");
    }
    const json::object& o = value.as_object();
    if (const auto* version = o.if_contains("v");
        version && !(version->is_int64() && version->get_int64() == kRecordVersion)) {
      throw std::runtime_error("outage journal " + path_ + ": " + where + " has record version " +
                               json::serialize(*version) +
                               ", written by another creditgate "
                               "version; this one reads version " +
                               std::to_string(kRecordVersion));
    }
    try {
      const auto seq = static_cast<std::uint64_t>(o.at("seq").as_int64());
      next_seq_ = std::max(next_seq_, seq + 1);
      if (o.at("type").as_string() == "done") {
        if (auto it = pending_.find(seq); it != pending_.end()) {
          if (it->second.kind == Kind::decision) {
            pending_by_tenant_[it->second.tenant_id] -= it->second.price_micros;
          }
          pending_.erase(it);
        }
        continue;
      }
      Entry entry = entryFromRecord(o);
      if (entry.kind == Kind::decision) pending_by_tenant_[entry.tenant_id] += entry.price_micros;
      pending_.emplace(seq, std::move(entry));
    } catch (const std::exception& e) {
      throw std::runtime_error("outage journal " + path_ + ": " + where +
                               " is not a valid record (" + e.what() + ")");
    }
  }
}

void LedgerJournal::writeLine(const std::string& line) {
  if (fd_ < 0) return;
  const std::string record = line + "\n";
  struct stat before {};
  if (::fstat(fd_, &before) != 0) throw journalError("cannot stat", path_);
  if (::write(fd_, record.data(), record.size()) != static_cast<ssize_t>(record.size()) ||
      ::fdatasync(fd_) != 0) {
    const std::runtime_error error = journalError("cannot append", path_);
    // What failed must not come back at the next start: the host is told it was not journaled.
    (void)!::ftruncate(fd_, before.st_size);
    throw error;
  }
}

std::uint64_t LedgerJournal::appendLocked(Entry entry) {
  entry.seq = next_seq_;
  writeLine(journalRecordJson(entry));  // durable before the host is answered
  ++next_seq_;
  if (entry.kind == Kind::decision) pending_by_tenant_[entry.tenant_id] += entry.price_micros;
  const std::uint64_t seq = entry.seq;
  pending_.emplace(seq, std::move(entry));
  return seq;
}

std::optional<std::uint64_t> LedgerJournal::appendDecision(Entry entry, std::int64_t cap_micros) {
  std::lock_guard lock(mutex_);
  entry.kind = Kind::decision;
  const auto it = pending_by_tenant_.find(entry.tenant_id);
  const std::int64_t already = it == pending_by_tenant_.end() ? 0 : it->second;
  if (already > cap_micros - entry.price_micros) return std::nullopt;
  return appendLocked(std::move(entry));
}

std::uint64_t LedgerJournal::append(Entry entry) {
  std::lock_guard lock(mutex_);
  return appendLocked(std::move(entry));
}

void LedgerJournal::markDone(std::uint64_t seq) {
  std::lock_guard lock(mutex_);
  auto it = pending_.find(seq);
  if (it == pending_.end()) return;
  writeLine("{\"v\":1,\"type\":\"done\",\"seq\":" + std::to_string(seq) + "}");
  if (it->second.kind == Kind::decision) {
    pending_by_tenant_[it->second.tenant_id] -= it->second.price_micros;
  }
  pending_.erase(it);
  if (pending_.empty()) {
    pending_by_tenant_.clear();
    // Everything is in the ledger: start the file afresh so it never grows without bound.
    if (fd_ >= 0 && (::ftruncate(fd_, 0) != 0 || ::fdatasync(fd_) != 0)) {
      throw journalError("cannot compact", path_);
    }
  }
}

std::vector<LedgerJournal::Entry> LedgerJournal::pending() const {
  std::lock_guard lock(mutex_);
  std::vector<Entry> out;
  out.reserve(pending_.size());
  for (const auto& [seq, entry] : pending_) out.push_back(entry);
  return out;
}

LedgerJournal::Counts LedgerJournal::counts() const {
  std::lock_guard lock(mutex_);
  Counts counts;
  for (const auto& [seq, entry] : pending_) {
    switch (entry.kind) {
      case Kind::decision: ++counts.decisions; break;
      case Kind::outcomes: ++counts.outcomes; break;
      case Kind::doubt: ++counts.doubts; break;
    }
  }
  return counts;
}

std::int64_t LedgerJournal::pendingMicros(const std::string& tenant_id) const {
  std::lock_guard lock(mutex_);
  const auto it = pending_by_tenant_.find(tenant_id);
  return it == pending_by_tenant_.end() ? 0 : it->second;
}

}  // namespace creditgate
