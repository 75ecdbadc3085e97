#include "doubts.hpp"

#include <pqxx/pqxx>

#include "pg_field.hpp"

namespace creditgate {
namespace {

constexpr Statement kNoteDoubt{"note_doubt", "SELECT creditgate.note_doubt($1, $2, $3)"};
constexpr Statement kVoidDoubtfulBatches{
    "void_doubtful_batches",
    "SELECT tenant_id, batch_id, resolution, voided_micros, currency"
    " FROM creditgate.void_doubtful_batches($1, $2)"};
constexpr Statement kStatements[] = {kNoteDoubt, kVoidDoubtfulBatches};

}  // namespace

std::span<const Statement> Doubts::statements() {
  return kStatements;
}

void Doubts::note(std::string_view tenant_id, std::string_view batch_id, std::int64_t attempt_id,
                  Database::Deadline deadline) {
  database_.perform(Database::Effect::write, deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    database_.exec(txn, kNoteDoubt, bindableText(tenant_id), bindableText(batch_id), attempt_id);
    return true;
  });
}

std::vector<DoubtResolution> Doubts::resolveDue(int grace_ms, int limit,
                                                Database::Deadline deadline) {
  return database_.perform(Database::Effect::write, deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    std::vector<DoubtResolution> out;
    for (const auto& row : database_.exec(txn, kVoidDoubtfulBatches, grace_ms, limit)) {
      out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                     row[3].as<std::int64_t>(), row[4].is_null() ? "" : row[4].as<std::string>()});
    }
    return out;
  });
}

}  // namespace creditgate
