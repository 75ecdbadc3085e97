-- What a plugin instance watches in the background for its metrics: the outbox backlog and the
-- top-ups admins made (creditctl runs elsewhere; the gateway sees them through the ledger).
SET LOCAL ROLE creditgate_owner;
SET LOCAL search_path = creditgate;

-- Top-ups are read incrementally by entry_id, so each poll touches only the new ones.
CREATE INDEX ledger_topup_by_entry ON ledger_entry (entry_id) WHERE kind = 'topup';

-- One round trip: the backlog, and per tenant the top-ups after p_after_entry_id (entry_id of the
-- last one seen) with the balance now, so per-tenant balance gauges recover after a top-up too.
CREATE FUNCTION ledger_watch(p_after_entry_id bigint, OUT outbox_pending bigint,
                             OUT tenant_id text, OUT currency text, OUT topup_micros numeric,
                             OUT last_entry_id bigint, OUT balance_micros bigint)
  RETURNS SETOF record
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
  WITH backlog AS (SELECT count(*) AS n FROM outbox_event WHERE sent_at IS NULL),
  topups AS (
    SELECT l.tenant_id, sum(l.amount_micros) AS amount, max(l.entry_id) AS last_id
      FROM ledger_entry l
     WHERE l.kind = 'topup' AND l.entry_id > p_after_entry_id
     GROUP BY l.tenant_id
  )
  SELECT backlog.n, t.tenant_id, t.currency, topups.amount, topups.last_id, t.balance_micros
    FROM backlog
    LEFT JOIN topups ON true
    LEFT JOIN tenant t ON t.tenant_id = topups.tenant_id
$$;

REVOKE EXECUTE ON FUNCTION ledger_watch(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ledger_watch(bigint) TO creditgate_plugin;
