// Bad input is blocked with its own reason, naming the field; nothing is debited or changed.
#include "gate_fixture.hpp"

#include <limits>

namespace creditgate::testing {
namespace {

using api::Reason;

struct BadInputCase {
  const char* name;
  std::function<void(OwnedBatch&)> spoil;
  Reason reason;
  const char* detail_mentions;  // the field (and value) the detail names
};

class BadInputTest : public GateTest, public ::testing::WithParamInterface<BadInputCase> {};

// Everything a decision could touch, to prove bad input changed nothing at all.
std::vector<std::int64_t> databaseState(TestDatabase& db) {
  return {db.balance("acme"), db.count("ledger_entry"), db.count("batch"),
          db.count("batch_refusal"), db.count("recipient_outcome"), db.count("tenant")};
}

TEST_P(BadInputTest, IsBlockedWithItsOwnReasonAndNothingChanges) {
  db_.addTenant("acme", "EUR", 10'000'000);
  startGate(kBlockPolicy, /*max_batch_recipients=*/10);
  const auto before = databaseState(db_);
  OwnedBatch b = batch("acme", "b-1", germanNumbers(3));
  GetParam().spoil(b);
  const api::Verdict v = decide(b);
  EXPECT_EQ(v.decision, api::Decision::block);
  EXPECT_EQ(v.reason, GetParam().reason) << api::reasonCode(v.reason) << ": " << v.detail;
  EXPECT_EQ(v.charged_micros, 0);
  EXPECT_NE(std::string(v.detail).find(GetParam().detail_mentions), std::string::npos)
      << "detail: " << v.detail;
  EXPECT_EQ(databaseState(db_), before);
}

INSTANTIATE_TEST_SUITE_P(
    EveryField, BadInputTest,
    ::testing::Values(
        BadInputCase{"EmptyTenantId", [](OwnedBatch& b) { b.tenant_id = ""; },
                     Reason::invalid_tenant_id, "tenant_id"},
        BadInputCase{"TenantIdWithSpace", [](OwnedBatch& b) { b.tenant_id = "ac me"; },
                     Reason::invalid_tenant_id, "tenant_id: 'ac me'"},
        BadInputCase{"EmptyBatchId", [](OwnedBatch& b) { b.batch_id = ""; },
                     Reason::invalid_batch_id, "batch_id"},
        BadInputCase{"BatchIdWithControlCharacter", [](OwnedBatch& b) { b.batch_id = "b\n1"; },
                     Reason::invalid_batch_id, "batch_id: 'b\\x0a1'"},
        BadInputCase{"EmptyTemplate", [](OwnedBatch& b) { b.template_name = ""; },
                     Reason::invalid_template, "template_name"},
        BadInputCase{"RecipientNotE164", [](OwnedBatch& b) { b.recipients[1] = "+49151abc4567"; },
                     Reason::invalid_recipient, "recipients[1]"},
        BadInputCase{"RecipientWithoutPlus", [](OwnedBatch& b) { b.recipients[0] = "4915112345678"; },
                     Reason::invalid_recipient, "recipients[0]"},
        BadInputCase{"RecipientTooShort", [](OwnedBatch& b) { b.recipients[2] = "+4912"; },
                     Reason::invalid_recipient, "recipients[2]"},
        BadInputCase{"RecipientWithUnassignedCallingCode",
                     [](OwnedBatch& b) { b.recipients[2] = "+99912345678"; },
                     Reason::invalid_recipient,
                     "recipients[2]: '+99912345678' has an unassigned country calling code"},
        BadInputCase{"RecipientWithSpareCallingCode",
                     [](OwnedBatch& b) { b.recipients[1] = "+2851234567"; },
                     Reason::invalid_recipient,
                     "recipients[1]: '+2851234567' has an unassigned country calling code"},
        BadInputCase{"RecipientTwice", [](OwnedBatch& b) { b.recipients[2] = b.recipients[0]; },
                     Reason::duplicate_recipient, "recipients[2]"},
        BadInputCase{"UnknownCategory", [](OwnedBatch& b) { b.category = "promotional"; },
                     Reason::unknown_category, "category: 'promotional'"},
        BadInputCase{"CategoryInWrongCase", [](OwnedBatch& b) { b.category = "Marketing"; },
                     Reason::unknown_category, "category"},
        BadInputCase{"NoRecipients", [](OwnedBatch& b) { b.recipients.clear(); },
                     Reason::no_recipients, "recipients"},
        BadInputCase{"MoreThanTheMaximum",
                     [](OwnedBatch& b) { b.recipients = germanNumbers(11); },
                     Reason::too_many_recipients, "max_batch_recipients = 10"},
        BadInputCase{"UnknownTenant", [](OwnedBatch& b) { b.tenant_id = "nobody"; },
                     Reason::unknown_tenant, "tenant_id: 'nobody'"},
        BadInputCase{"SqlLookingTenantId",
                     [](OwnedBatch& b) { b.tenant_id = "acme';DROP-TABLE-creditgate.tenant;--"; },
                     Reason::unknown_tenant, "tenant_id"}),
    [](const ::testing::TestParamInfo<BadInputCase>& info) { return info.param.name; });

class BadAmountTest : public GateTest {};

TEST_F(BadAmountTest, PriceThatWouldOverflowInt64IsBlockedAsAmountOverflow) {
  db_.addTenant("acme", "EUR", 10'000'000);
  // A (deliberately absurd) rate so that two recipients overflow int64 micro-units.
  db_.exec("UPDATE creditgate.rate SET rate_micros = 5000000000000000000 "
           "WHERE market = 'Germany' AND category = 'utility'");
  startGate(kBlockPolicy);
  const auto before = databaseState(db_);
  const api::Verdict v = decide(batch("acme", "b-1", germanNumbers(2), "utility"));
  EXPECT_EQ(v.decision, api::Decision::block);
  EXPECT_EQ(v.reason, Reason::amount_overflow) << v.detail;
  EXPECT_EQ(databaseState(db_), before);
}

TEST_F(BadAmountTest, SqlLookingBatchIdIsStoredAsDataAndTablesStayIntact) {
  db_.addTenant("acme", "EUR", 10'000'000);
  startGate(kBlockPolicy);
  const std::string hostile = "b1'); DELETE FROM creditgate.ledger_entry; --";
  const api::Verdict v = decide(batch("acme", hostile, germanNumbers(1)));
  EXPECT_EQ(v.decision, api::Decision::allow);
  {
    pqxx::nontransaction txn(db_.connection());
    EXPECT_EQ(txn.exec_params1("SELECT count(*) FROM creditgate.batch WHERE batch_id = $1",
                               hostile)[0]
                  .as<int>(),
              1);
  }
  EXPECT_EQ(db_.count("ledger_entry"), 2);  // the initial top-up and this debit
  EXPECT_EQ(db_.ledgerSum("acme"), db_.balance("acme"));
}

}  // namespace
}  // namespace creditgate::testing
