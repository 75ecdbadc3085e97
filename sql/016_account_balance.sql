-- A tenant's account as a host shows it (host API v3, CreditGate::balance) and as creditctl's
-- `balance` prints it: currency, balance and what the tenant spent today, in one read.
--
-- Spent today is the money that left the account for messages since 00:00 UTC, net of what came
-- back: -(sum of the debit, refund and void entries created since then), by the ledger's own clock
-- (the entries' created_at). A void gives back a debit whose decision stayed in doubt and that no
-- host was told of (sql/014): that batch was never sent, so its money was not spent, exactly as a
-- refunded recipient's was not. Top-ups and admin adjustments are not spending and do not count.
-- Each entry counts on the day it was written: a refund or void today of a debit made yesterday
-- lowers today's figure, which can therefore be negative on a day with more given back than spent
-- (the ledger is append-only; re-dating yesterday's debits would make a day's figure change after
-- the day).
SET LOCAL ROLE creditgate_owner;
SET LOCAL search_path = creditgate;

-- Today's entries of one tenant without reading its whole history: the primary key leads with
-- tenant_id but orders by entry_id, so it alone would visit every entry the tenant ever had.
-- Building it holds writes to ledger_entry for as long as it takes (a migration runs in one
-- transaction, so not CONCURRENTLY); on a large ledger, create it beforehand with
--   CREATE INDEX CONCURRENTLY ledger_entry_by_tenant_time
--     ON creditgate.ledger_entry (tenant_id, created_at);
-- as creditgate_owner, and this migration keeps it.
CREATE INDEX IF NOT EXISTS ledger_entry_by_tenant_time ON ledger_entry (tenant_id, created_at);

-- No row for an unknown tenant. Read only: no lock, nothing written.
CREATE FUNCTION tenant_account(p_tenant_id text, OUT currency text, OUT balance_micros bigint,
                               OUT spent_today_micros bigint)
  RETURNS SETOF record
  LANGUAGE sql STABLE ROWS 1 SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
  SELECT t.currency, t.balance_micros,
         (SELECT coalesce(-sum(l.amount_micros), 0)::bigint
            FROM ledger_entry l
           WHERE l.tenant_id = t.tenant_id AND l.kind IN ('debit', 'refund', 'void')
             AND l.created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')
    FROM tenant t
   WHERE t.tenant_id = p_tenant_id
$$;

REVOKE EXECUTE ON FUNCTION tenant_account(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_account(text) TO creditgate_plugin, creditgate_admin;
