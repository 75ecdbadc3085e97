-- What the billing portal shows, read through the session (issue 14). The portal's login
-- (creditgate_portal) names a tenant only together with its session's token digest, and one rule,
-- portal_visible_tenant, decides whether that session may see that tenant: an open session of an
-- enabled user whose role is admin (any tenant) or tenant:<that tenant>. Otherwise every read
-- returns no row, so a guessed URL for another tenant is answered exactly like one for a tenant
-- that does not exist (404): nothing tells the two apart.

SET LOCAL ROLE creditgate_owner;
SET LOCAL search_path = creditgate;

-- The tenant id when the session may see it, else NULL. Read only: the request's
-- portal_session_user call is what keeps the session alive.
CREATE FUNCTION portal_visible_tenant(p_token_sha256 bytea, p_tenant_id text) RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
  SELECT t.tenant_id
    FROM portal_session s
    JOIN portal_user u ON u.email = s.email AND u.disabled_at IS NULL
    JOIN tenant t ON t.tenant_id = p_tenant_id
   WHERE s.token_sha256 = p_token_sha256 AND s.ended_at IS NULL
     AND s.idle_expires_at > now() AND s.absolute_expires_at > now()
     AND (u.role = 'admin' OR u.role = 'tenant:' || p_tenant_id)
$$;

-- The overview's numbers: tenant_account's (sql/016) and the spending of the last 30 days, counted
-- as spent today is (debits net of refunds and voids, each on the day it was written).
CREATE FUNCTION portal_account(p_token_sha256 bytea, p_tenant_id text,
                               OUT currency text, OUT balance_micros bigint,
                               OUT spent_today_micros bigint, OUT spent_30_days_micros bigint)
  RETURNS SETOF record
  LANGUAGE sql STABLE ROWS 1 SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
  SELECT a.currency, a.balance_micros, a.spent_today_micros,
         (SELECT coalesce(-sum(l.amount_micros), 0)::bigint
            FROM ledger_entry l
           WHERE l.tenant_id = v.tenant_id AND l.kind IN ('debit', 'refund', 'void')
             AND l.created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                                 - interval '29 days')
    FROM (SELECT portal_visible_tenant(p_token_sha256, p_tenant_id) AS tenant_id) v
    CROSS JOIN LATERAL tenant_account(v.tenant_id) a
   WHERE v.tenant_id IS NOT NULL
$$;

-- The ledger page: entries newest first, from p_from to p_to (UTC days, inclusive, NULL: open), a
-- page of p_limit (1..1000) before entry p_before_entry_id (NULL: the newest). Paging by entry id,
-- not by offset, so an entry written meanwhile neither repeats nor hides one.
CREATE FUNCTION portal_ledger(p_token_sha256 bytea, p_tenant_id text, p_from date, p_to date,
                              p_before_entry_id bigint, p_limit integer,
                              OUT entry_id bigint, OUT kind text, OUT amount_micros bigint,
                              OUT balance_after_micros bigint, OUT batch_id text,
                              OUT recipient text, OUT reference text, OUT note text,
                              OUT created_at timestamptz)
  RETURNS SETOF record
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_tenant text := portal_visible_tenant(p_token_sha256, p_tenant_id);
BEGIN
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 THEN
    RAISE EXCEPTION 'limit % must be from 1 to 1000', p_limit USING ERRCODE = '22023';
  END IF;
  IF v_tenant IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY
  SELECT l.entry_id, l.kind, l.amount_micros, l.balance_after_micros, l.batch_id, l.recipient,
         l.reference, l.note, l.created_at
    FROM ledger_entry l
   WHERE l.tenant_id = v_tenant
     AND (p_before_entry_id IS NULL OR l.entry_id < p_before_entry_id)
     AND (p_from IS NULL OR l.created_at >= p_from::timestamp AT TIME ZONE 'UTC')
     AND (p_to IS NULL OR l.created_at < (p_to + 1)::timestamp AT TIME ZONE 'UTC')
   ORDER BY l.entry_id DESC
   LIMIT p_limit;
END
$$;

REVOKE EXECUTE ON FUNCTION portal_visible_tenant(bytea, text),
  portal_account(bytea, text), portal_ledger(bytea, text, date, date, bigint, integer)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_account(bytea, text),
  portal_ledger(bytea, text, date, date, bigint, integer) TO creditgate_portal;
