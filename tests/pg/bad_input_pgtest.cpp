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

namespace creditgate::testing {
namespace {

// report() checks its input exactly as decide() does (issue 11, item 4): an id with a trailing NUL
// used to be truncated by the driver and settle the real batch, and a recipient with a NUL came
// back as internal_error carrying PostgreSQL's own error text.
class BadReportTest : public GateTest {
 protected:
  void SetUp() override {
    GateTest::SetUp();
    db_.addTenant("acme", "EUR", 10'000'000);
    startGate(kBlockPolicy);
    ASSERT_EQ(decide(batch("acme", "b1", germanNumbers(2))).decision, api::Decision::allow);
  }
  api::Settlement report(std::string_view tenant, std::string_view batch_id,
                         std::string_view recipient) {
    const api::RecipientOutcome outcome[] = {{recipient, api::Delivery::failed}};
    return gate_->report({tenant, batch_id, outcome});
  }
};

TEST_F(BadReportTest, ANulByteInAnyFieldIsRefusedNamingTheFieldAndSettlesNothing) {
  using namespace std::string_view_literals;
  const auto before = databaseState(db_);
  const std::string good = germanNumbers(1)[0];
  const std::string nul_recipient = good + std::string(1, '\0');
  struct Case {
    std::string_view tenant, batch_id, recipient;
    api::Reason reason;
    const char* field;
  } cases[] = {
      {"acme\0"sv, "b1", good, api::Reason::invalid_tenant_id, "tenant_id"},
      {"acme", "b1\0"sv, good, api::Reason::invalid_batch_id, "batch_id"},
      {"acme", "b1", nul_recipient, api::Reason::invalid_outcome, "outcomes[0].recipient"},
      {"acme", "b1", "4915110000000", api::Reason::invalid_outcome, "outcomes[0].recipient"},
  };
  for (const Case& c : cases) {
    const api::Settlement s = report(c.tenant, c.batch_id, c.recipient);
    EXPECT_FALSE(s.ok) << c.field;
    EXPECT_EQ(s.reason, c.reason) << c.field << ": " << api::reasonCode(s.reason) << " "
                                  << s.detail;
    EXPECT_TRUE(std::string(s.detail).starts_with(c.field)) << s.detail;
    EXPECT_EQ(std::string(s.detail).find("ERROR"), std::string::npos) << s.detail;
    EXPECT_EQ(std::string(s.detail).find("invalid byte sequence"), std::string::npos) << s.detail;
  }
  EXPECT_EQ(databaseState(db_), before);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.recipient_outcome"), 0);
}

TEST_F(BadReportTest, ARefusalByTheDatabaseNeverShowsItsTextToTheHost) {
  // A batch the plugin thinks valid but the database refuses: here, the ledger function is gone.
  db_.exec(
      "REVOKE EXECUTE ON FUNCTION creditgate.settle_outcomes(text, text, text[], boolean[]) "
      "FROM creditgate_plugin");
  const api::Settlement s = report("acme", "b1", germanNumbers(1)[0]);
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.reason, api::Reason::internal_error);
  EXPECT_STREQ(s.detail, "internal error; see the gateway log");
  EXPECT_TRUE(host_.logged("permission denied"));  // the whole story is in the log
}

}  // namespace
}  // namespace creditgate::testing
