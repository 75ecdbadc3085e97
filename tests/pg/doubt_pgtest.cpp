// Decisions in doubt, at the ledger (sql/014_doubt_and_outage.sql): a debit whose every answer was
// lost is voided once the ledger has known of the doubt for the grace period; a debit some call got
// the verdict of stays; a voided batch id is decided afresh; an outage replay is recorded flagged.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "test_database.hpp"

namespace creditgate::testing {
namespace {

constexpr std::int64_t kPrice = 100'000;

struct Decided {
  std::string decision, reason;
  std::int64_t charged = 0;
  bool replayed = false;
};

class DoubtTest : public ::testing::Test {
 protected:
  void SetUp() override { db_.addTenant("acme", "EUR", 1'000'000); }

  // decide_batch as the plugin calls it, one recipient at kPrice, with this attempt id.
  Decided decide(const std::string& batch_id, std::optional<std::int64_t> attempt,
                 const std::string& policy = "block", const std::string& campaign = "c") {
    pqxx::nontransaction txn(db_.connection());
    const pqxx::row row = txn.exec_params1(
        "SELECT decision, reason, charged_micros, replayed FROM creditgate.decide_batch("
        "'acme', $1, $2, 't', 'marketing', ARRAY['+4915110000000'], ARRAY[$3::bigint], 'EUR', "
        "$4, 0, 1, NULL, NULL, 0, NULLIF($5, '')::bigint)",
        batch_id, campaign, kPrice, policy, attempt ? std::to_string(*attempt) : std::string());
    return {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::int64_t>(),
            row[3].as<bool>()};
  }

  void noteDoubt(const std::string& batch_id, std::int64_t attempt) {
    db_.exec("SELECT creditgate.note_doubt('acme', '" + batch_id + "', " + std::to_string(attempt) +
             ")");
  }

  // Resolves every due doubt; the resolution of `batch_id` ("" when it had none due).
  std::string resolve(const std::string& batch_id, int grace_ms = 0) {
    pqxx::nontransaction txn(db_.connection());
    std::string out;
    for (const auto& row : txn.exec_params(
             "SELECT batch_id, resolution FROM creditgate.void_doubtful_batches($1, 100)",
             grace_ms)) {
      if (row[0].as<std::string>() == batch_id) out = row[1].as<std::string>();
    }
    return out;
  }

  TestDatabase db_;
};

TEST_F(DoubtTest, ADebitWhoseOnlyAnswerWasLostIsVoidedAndTheMoneyComesBack) {
  ASSERT_EQ(decide("b1", 11).decision, "allow");
  EXPECT_EQ(db_.balance("acme"), 1'000'000 - kPrice);
  noteDoubt("b1", 11);
  EXPECT_EQ(resolve("b1"), "voided");
  EXPECT_EQ(db_.balance("acme"), 1'000'000);
  EXPECT_EQ(db_.ledgerSum("acme"), 1'000'000);
  EXPECT_EQ(db_.queryInt("SELECT amount_micros FROM creditgate.ledger_entry WHERE kind = 'void' "
                         "AND batch_id = 'b1'"),
            kPrice);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.batch WHERE batch_id = 'b1' "
                         "AND voided_at IS NOT NULL"),
            1);
  EXPECT_EQ(resolve("b1"), "");  // resolved once
}

TEST_F(DoubtTest, ADebitWhoseVerdictARetryGotStays) {
  ASSERT_EQ(decide("b1", 11).decision, "allow");
  const Decided retry = decide("b1", 12);  // the host's retry: another call, a replay
  EXPECT_EQ(retry.decision, "allow");
  EXPECT_TRUE(retry.replayed);
  EXPECT_EQ(retry.charged, kPrice);
  noteDoubt("b1", 11);
  EXPECT_EQ(resolve("b1"), "kept");
  EXPECT_EQ(db_.balance("acme"), 1'000'000 - kPrice);
}

TEST_F(DoubtTest, TheSameCallAskingAgainIsNotAReplayItsMoneyMovedForIt) {
  ASSERT_EQ(decide("b1", 11).decision, "allow");
  const Decided again = decide("b1", 11);  // the plugin's retry of a lost answer, same attempt
  EXPECT_EQ(again.decision, "allow");
  EXPECT_FALSE(again.replayed);
  EXPECT_EQ(again.charged, kPrice);
  EXPECT_EQ(db_.balance("acme"), 1'000'000 - kPrice);
}

TEST_F(DoubtTest, EveryCallThatGotTheVerdictMustHaveLostItForAVoid) {
  ASSERT_EQ(decide("b1", 11).decision, "allow");
  ASSERT_TRUE(decide("b1", 12).replayed);
  noteDoubt("b1", 12);  // the retry's answer was lost too, and the first one's
  noteDoubt("b1", 11);
  EXPECT_EQ(resolve("b1"), "voided");
  EXPECT_EQ(db_.balance("acme"), 1'000'000);
}

TEST_F(DoubtTest, ADoubtNotedLaterAboutAnotherAnsweredCallIsResolvedAgain) {
  ASSERT_EQ(decide("b1", 11).decision, "allow");
  ASSERT_TRUE(decide("b1", 12).replayed);
  noteDoubt("b1", 11);
  EXPECT_EQ(resolve("b1"), "kept");  // call 12 got the verdict, as far as the ledger knows
  noteDoubt("b1", 12);               // ...until its gateway says it lost that answer too
  EXPECT_EQ(resolve("b1"), "voided");
  EXPECT_EQ(db_.balance("acme"), 1'000'000);
}

TEST_F(DoubtTest, NothingIsVoidedBeforeTheGracePeriodHasPassed) {
  ASSERT_EQ(decide("b1", 11).decision, "allow");
  noteDoubt("b1", 11);
  EXPECT_EQ(resolve("b1", 60'000), "");
  EXPECT_EQ(db_.balance("acme"), 1'000'000 - kPrice);
}

TEST_F(DoubtTest, ALostAttemptThatNeverReachedTheLedgerChangesNothing) {
  noteDoubt("never-decided", 11);
  EXPECT_EQ(resolve("never-decided"), "not_recorded");
  EXPECT_EQ(db_.balance("acme"), 1'000'000);
  EXPECT_EQ(db_.count("ledger_entry"), 1);  // the opening top-up only
}

TEST_F(DoubtTest, OutcomesReportedForABatchKeepItsDebit) {
  ASSERT_EQ(decide("b1", 11).decision, "allow");
  db_.exec("SELECT creditgate.settle_outcomes('acme', 'b1', ARRAY['+4915110000000'], ARRAY[true])");
  noteDoubt("b1", 11);
  EXPECT_EQ(resolve("b1"), "kept");  // it was sent after all
  EXPECT_EQ(db_.balance("acme"), 1'000'000 - kPrice);
}

TEST_F(DoubtTest, AVoidedBatchIdIsDecidedAfreshAndCanBeVoidedAgain) {
  ASSERT_EQ(decide("b1", 11).decision, "allow");
  noteDoubt("b1", 11);
  ASSERT_EQ(resolve("b1"), "voided");

  // A retry after the void (even with other content) is a new decision: debited again.
  const Decided fresh = decide("b1", 13, "block", "other-campaign");
  EXPECT_EQ(fresh.decision, "allow");
  EXPECT_FALSE(fresh.replayed);
  EXPECT_EQ(fresh.charged, kPrice);
  EXPECT_EQ(db_.balance("acme"), 1'000'000 - kPrice);
  EXPECT_TRUE(decide("b1", 14, "block", "other-campaign").replayed);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.ledger_entry WHERE kind = 'debit' "
                         "AND batch_id = 'b1'"),
            2);
  // Settling it refunds the new generation's recipient once.
  db_.exec(
      "SELECT creditgate.settle_outcomes('acme', 'b1', ARRAY['+4915110000000'], ARRAY[false])");
  EXPECT_EQ(db_.balance("acme"), 1'000'000);
  EXPECT_EQ(db_.ledgerSum("acme"), 1'000'000);
}

TEST_F(DoubtTest, AVoidedBatchIsNeitherSettledNorQuotedAsSeen) {
  ASSERT_EQ(decide("b1", 11).decision, "allow");
  noteDoubt("b1", 11);
  ASSERT_EQ(resolve("b1"), "voided");
  {
    pqxx::nontransaction txn(db_.connection());
    EXPECT_EQ(txn.exec1("SELECT status FROM creditgate.settle_outcomes('acme', 'b1', "
                        "ARRAY['+4915110000000'], ARRAY[false])")[0]
                  .as<std::string>(),
              "unknown_batch");
    EXPECT_EQ(txn.exec1("SELECT reason FROM creditgate.quote_batch('acme', 'b1', 'other', 't', "
                        "'marketing', ARRAY['+4915110000000'], ARRAY[100000::bigint], 'EUR', "
                        "'block', 0)")[0]
                  .as<std::string>(),
              "ok");  // not batch_conflict: the id is free again
  }
  EXPECT_EQ(db_.balance("acme"), 1'000'000);
}

TEST_F(DoubtTest, ABatchSentDuringAnOutageIsRecordedFlaggedAsLedgerUnavailable) {
  const Decided replayed = decide("b1", 11, "outage");
  EXPECT_EQ(replayed.decision, "allow_flagged");
  EXPECT_EQ(replayed.reason, "ledger_unavailable");
  EXPECT_EQ(replayed.charged, kPrice);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.batch WHERE batch_id = 'b1' AND "
                         "decision = 'allow_flagged' AND reason = 'ledger_unavailable' AND "
                         "policy = 'outage'"),
            1);
}

TEST_F(DoubtTest, AnOutageReplayIntoDebtTellsTheContactAndStopsAtTheFloor) {
  db_.exec("SELECT creditgate.set_tenant_contacts('acme', ARRAY['ops@acme.example'])");
  pqxx::nontransaction txn(db_.connection());
  auto outage = [&](const std::string& id, std::int64_t price, std::int64_t floor) {
    return txn.exec_params1(
        "SELECT decision, reason FROM creditgate.decide_batch('acme', $1, 'c', 't', 'marketing', "
        "ARRAY['+4915110000000'], ARRAY[$2::bigint], 'EUR', 'outage', $3, 1, NULL, NULL, 0, 7)",
        id, price, floor);
  };
  const pqxx::row within = outage("b1", 1'200'000, 500'000);  // 1.0 balance, 0.5 cap: -0.2 after
  EXPECT_EQ(within[0].as<std::string>(), "allow_flagged");
  EXPECT_EQ(within[1].as<std::string>(), "ledger_unavailable");
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM creditgate.outbox_event "
                      "WHERE type = 'insufficient_credit'")[0]
                .as<int>(),
            1);
  const pqxx::row beyond = outage("b2", 400'000, 500'000);  // -0.6 would pass the cap
  EXPECT_EQ(beyond[0].as<std::string>(), "block");
  EXPECT_EQ(beyond[1].as<std::string>(), "overdraft_limit_exceeded");
}

}  // namespace
}  // namespace creditgate::testing
