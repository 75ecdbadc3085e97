-- The billing portal's pages (issue 14): what the batches, spend and notifications pages read, and
-- the admin's pages (every tenant, top-up, new tenant, contacts). As in sql/020, every function takes
-- the session's token digest first and finds out from it what the caller may do:
--
-- - a tenant's page reads through portal_visible_tenant (sql/020): for another tenant, or without
--   an open session, it returns no row, exactly as for a tenant that does not exist (the portal's
--   404), so a guessed URL tells nothing;
-- - an admin's page or action needs an open session of an enabled admin (portal_admin_email);
--   otherwise it is refused with SQLSTATE 42501 and a message that names nothing of any tenant.
--
-- creditgate_portal still executes portal_* functions only, and no table.

SET LOCAL ROLE creditgate_owner;
SET LOCAL search_path = creditgate;

-- The batches page pages newest first over a tenant's decisions, and the spend page reads one
-- period of them: without these, each page would read the tenant's whole history (the primary keys
-- lead with tenant_id but then order by batch or refusal id). Each decision now writes one more
-- index entry. Building them holds writes to the table for as long as it takes (a migration runs in
-- one transaction, so not CONCURRENTLY); on a large ledger, create them beforehand with
--   CREATE INDEX CONCURRENTLY batch_by_tenant_time ON creditgate.batch (tenant_id, decided_at);
--   CREATE INDEX CONCURRENTLY batch_refusal_by_tenant_time
--     ON creditgate.batch_refusal (tenant_id, refused_at);
-- as creditgate_owner, and this migration keeps them.
CREATE INDEX IF NOT EXISTS batch_by_tenant_time ON batch (tenant_id, decided_at);
CREATE INDEX IF NOT EXISTS batch_refusal_by_tenant_time ON batch_refusal (tenant_id, refused_at);

-- Who made each top-up entered through the portal: the admin's email, next to the ledger entry
-- rather than in it (the ledger is append-only and its rows are written by topup() alone, which
-- knows nothing of portal sessions), and rather than in the entry's note, which stays the admin's
-- own words. A top-up made with creditctl has no row here (its admin is a database login).
CREATE TABLE portal_topup (
  tenant_id  text NOT NULL,
  entry_id   bigint NOT NULL,
  email      text NOT NULL REFERENCES portal_user (email),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, entry_id),
  FOREIGN KEY (tenant_id, entry_id) REFERENCES ledger_entry
);

-- The email of the session's user when the session is open and the user an enabled admin (the same
-- session rule as portal_visible_tenant); otherwise SQLSTATE 42501. The message is the same for
-- every refusal (no session, an ended or expired one, a tenant user's), and names no tenant.
CREATE FUNCTION portal_admin_email(p_token_sha256 bytea) RETURNS text
  LANGUAGE plpgsql STABLE SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_email text;
BEGIN
  SELECT u.email INTO v_email
    FROM portal_session s
    JOIN portal_user u ON u.email = s.email AND u.disabled_at IS NULL
   WHERE s.token_sha256 = p_token_sha256 AND s.ended_at IS NULL
     AND s.idle_expires_at > now() AND s.absolute_expires_at > now()
     AND u.role = 'admin';
  IF v_email IS NULL THEN
    RAISE EXCEPTION 'only a portal admin with an open session may do this' USING ERRCODE = '42501';
  END IF;
  RETURN v_email;
END
$$;

-- A value for an error message: quoted, control characters shown as '?', long ones shortened.
CREATE FUNCTION portal_quoted(p_value text) RETURNS text
  LANGUAGE sql IMMUTABLE SET search_path = creditgate, pg_temp
AS $$
  SELECT CASE WHEN p_value IS NULL THEN 'NULL'
              ELSE quote_literal(regexp_replace(left(p_value, 80), '[[:cntrl:]]', '?', 'g'))
                   || CASE WHEN length(p_value) > 80 THEN '...' ELSE '' END END
$$;

-- Contacts as the portal accepts them, each refusal (SQLSTATE 22023) naming the value: each one 1
-- to 320 characters without control characters (creditctl's rule for a contact,
-- tools/creditctl/arguments.cpp, so that a list creditctl set can be saved again from the portal),
-- at most 10, none twice (letter case aside: Ops@Acme.example and ops@acme.example reach the same
-- mailbox).
CREATE FUNCTION check_portal_contacts(p_contacts text[]) RETURNS void
  LANGUAGE plpgsql IMMUTABLE SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_contact text;
  v_twice   text;
BEGIN
  IF array_ndims(p_contacts) > 1 THEN
    RAISE EXCEPTION 'contacts must be a flat list' USING ERRCODE = '22023';
  END IF;
  IF cardinality(p_contacts) > 10 THEN
    RAISE EXCEPTION 'at most 10 contacts, got %', cardinality(p_contacts) USING ERRCODE = '22023';
  END IF;
  FOREACH v_contact IN ARRAY coalesce(p_contacts, '{}') LOOP
    IF v_contact IS NULL OR length(v_contact) NOT BETWEEN 1 AND 320
       OR v_contact ~ '[[:cntrl:]]' THEN
      RAISE EXCEPTION 'contact % must be 1 to 320 characters without control characters',
        portal_quoted(v_contact) USING ERRCODE = '22023';
    END IF;
  END LOOP;
  SELECT u.c INTO v_twice
    FROM unnest(p_contacts) WITH ORDINALITY AS u(c, i)
   WHERE EXISTS (SELECT FROM unnest(p_contacts) WITH ORDINALITY AS e(c, i)
                  WHERE lower(e.c) = lower(u.c) AND e.i < u.i)
   ORDER BY u.i LIMIT 1;
  IF v_twice IS NOT NULL THEN
    RAISE EXCEPTION 'contact % is listed twice', portal_quoted(v_twice) USING ERRCODE = '22023';
  END IF;
END
$$;

-- Tenant pages ----------------------------------------------------------------------------------

-- The tenant's header: its currency, how many decimals the pages show for it (ISO 4217's minor
-- units, sql/013; 2 for a code that is not in the table, which tenants created before that
-- migration may have), who is told about its credit, and since when it exists.
CREATE FUNCTION portal_tenant_info(p_token_sha256 bytea, p_tenant_id text,
                                   OUT currency text, OUT minor_units smallint,
                                   OUT contacts text[], OUT created_at timestamptz)
  RETURNS SETOF record
  LANGUAGE sql STABLE ROWS 1 SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
  SELECT t.currency, coalesce(c.minor_units, 2)::smallint, t.contacts, t.created_at
    FROM tenant t
    LEFT JOIN currency c ON c.code = t.currency
   WHERE t.tenant_id = portal_visible_tenant(p_token_sha256, p_tenant_id)
$$;

-- The batches page: every decision of the tenant, newest first. An allowed batch (table batch) and
-- a refused one (batch_refusal, whose id stays free for a retry) are one list:
-- - at is when it was decided; key tells rows apart and orders those decided at the same time (a
--   group-commit flush decides many at one timestamp): 'b:' || batch_id for a batch (its id is
--   unique per tenant), 'r:' || the refusal id padded to 20 digits (so text order is number order);
-- - a batch: price_micros is the price of all its recipients (the sum of its unit prices; a partial
--   batch was charged for its first recipients_allowed only), charged_micros what its debit took,
--   shortfall_micros NULL;
-- - a refusal: recipients_allowed and charged_micros 0, price and shortfall as recorded then,
--   balance_after_micros the balance it was refused at.
-- A batch whose debit was voided (sql/014: its decision stayed in doubt and no host was told of it,
-- so it was never sent) shows decision 'void', with its reason, recipients and charge as they were
-- decided: the ledger's void entry gave that charge back in full. A batch id decided again after a
-- void keeps one row, the newest decision: the batch row is overwritten by the new generation, and
-- the voided generation's content is no longer kept anywhere (its ledger entries, a debit and a
-- void of the same amount, remain on the ledger page).
-- Paging is by (at, key), compared byte-wise (COLLATE "C"), not by offset: rows strictly before
-- (p_before_at, p_before_key) when both are given, so rows written meanwhile neither repeat nor hide
-- one. The caller must hand back at exactly as returned (to the microsecond). p_from and p_to are
-- UTC days, inclusive (NULL: open), as on the ledger page; p_limit 1 to 1000.
CREATE FUNCTION portal_batches(p_token_sha256 bytea, p_tenant_id text, p_from date, p_to date,
                               p_before_at timestamptz, p_before_key text, p_limit integer,
                               OUT at timestamptz, OUT key text, OUT batch_id text,
                               OUT campaign_id text, OUT template_name text, OUT category text,
                               OUT decision text, OUT reason text, OUT recipients integer,
                               OUT recipients_allowed integer, OUT charged_micros bigint,
                               OUT price_micros numeric, OUT shortfall_micros numeric,
                               OUT balance_after_micros bigint)
  RETURNS SETOF record
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_tenant text := portal_visible_tenant(p_token_sha256, p_tenant_id);
  v_after  timestamptz := p_from::timestamp AT TIME ZONE 'UTC';
  v_before timestamptz := (p_to + 1)::timestamp AT TIME ZONE 'UTC';
  v_paged  boolean := p_before_at IS NOT NULL AND p_before_key IS NOT NULL;
BEGIN
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 THEN
    RAISE EXCEPTION 'limit % must be from 1 to 1000', p_limit USING ERRCODE = '22023';
  END IF;
  IF v_tenant IS NULL THEN
    RETURN;
  END IF;
  -- Each side takes its own newest p_limit (the time index, then its key among equal times), and
  -- the page is the newest p_limit of both: a page reads about 2 * p_limit rows, whatever the
  -- tenant's history. The price is summed for the page's rows only.
  RETURN QUERY
  SELECT page.at, page.key, page.batch_id, page.campaign_id, page.template_name, page.category,
         page.decision, page.reason, page.recipients, page.recipients_allowed,
         page.charged_micros,
         coalesce(page.price_micros, (SELECT sum(p) FROM unnest(page.unit_prices_micros) p)),
         page.shortfall_micros, page.balance_after_micros
    FROM ((SELECT b.decided_at AS at, ('b:' || b.batch_id) COLLATE "C" AS key, b.batch_id,
                  b.campaign_id, b.template_name, b.category,
                  CASE WHEN b.voided_at IS NULL THEN b.decision ELSE 'void' END AS decision,
                  b.reason, cardinality(b.recipients) AS recipients, b.recipients_allowed,
                  b.charged_micros, b.unit_prices_micros, NULL::numeric AS price_micros,
                  NULL::numeric AS shortfall_micros, b.balance_after_micros
             FROM batch b
            WHERE b.tenant_id = v_tenant
              AND (p_from IS NULL OR b.decided_at >= v_after)
              AND (p_to IS NULL OR b.decided_at < v_before)
              AND (NOT v_paged
                   OR (b.decided_at <= p_before_at
                       AND (b.decided_at < p_before_at
                            OR ('b:' || b.batch_id) COLLATE "C" < p_before_key COLLATE "C")))
            ORDER BY b.decided_at DESC, ('b:' || b.batch_id) COLLATE "C" DESC
            LIMIT p_limit)
          UNION ALL
          (SELECT r.refused_at, ('r:' || lpad(r.refusal_id::text, 20, '0')) COLLATE "C",
                  r.batch_id, r.campaign_id, r.template_name, r.category, 'block', r.reason,
                  r.recipient_count, 0, 0::bigint, NULL::bigint[], r.price_micros,
                  r.shortfall_micros, r.balance_micros
             FROM batch_refusal r
            WHERE r.tenant_id = v_tenant
              AND (p_from IS NULL OR r.refused_at >= v_after)
              AND (p_to IS NULL OR r.refused_at < v_before)
              AND (NOT v_paged
                   OR (r.refused_at <= p_before_at
                       AND (r.refused_at < p_before_at
                            OR ('r:' || lpad(r.refusal_id::text, 20, '0')) COLLATE "C"
                               < p_before_key COLLATE "C")))
            ORDER BY r.refused_at DESC, r.refusal_id DESC
            LIMIT p_limit)) page
   ORDER BY page.at DESC, page.key DESC
   LIMIT p_limit;
END
$$;

-- The spend page's rows per UTC day (portal_spend below sums them; sql/022 keeps past days of them):
-- each charged recipient adds 1 and its unit price, each refund takes its amount off, each
-- recipient reported undelivered takes 1 off, summed per number, day and category first, so that
-- each number's market is looked up once per day (digits compare byte-wise, COLLATE "C": no
-- locale rules on the bulky rows).
CREATE FUNCTION spend_by_day(p_tenant_id text, p_from date, p_to date, OUT day date,
                             OUT market text, OUT category text, OUT recipients bigint,
                             OUT spent_micros bigint)
  RETURNS SETOF record
  LANGUAGE sql STABLE SET search_path = creditgate, pg_temp
AS $$
  WITH decided AS MATERIALIZED (
    SELECT b.batch_id, b.category, (b.decided_at AT TIME ZONE 'UTC')::date AS day,
           b.recipients, b.unit_prices_micros, b.recipients_allowed
      FROM batch b
     WHERE b.tenant_id = p_tenant_id
       AND b.decided_at >= p_from::timestamp AT TIME ZONE 'UTC'
       AND b.decided_at < (p_to + 1)::timestamp AT TIME ZONE 'UTC'
       AND b.voided_at IS NULL
  ), items AS (
    SELECT d.day, d.category, u.recipient, 1 AS counted, u.price AS micros
      FROM decided d
     CROSS JOIN LATERAL unnest(d.recipients, d.unit_prices_micros) WITH ORDINALITY
                        AS u(recipient, price, i)
     WHERE u.i <= d.recipients_allowed
    UNION ALL
    SELECT d.day, d.category, rf.recipient, 0, -rf.amount_micros
      FROM decided d
      JOIN ledger_entry rf ON rf.tenant_id = p_tenant_id AND rf.kind = 'refund'
                          AND rf.batch_id = d.batch_id
    UNION ALL
    SELECT d.day, d.category, o.recipient, -1, 0
      FROM decided d
      JOIN recipient_outcome o ON o.tenant_id = p_tenant_id AND o.batch_id = d.batch_id
                              AND NOT o.delivered
  ), per_number AS (
    SELECT i.day, (CASE WHEN left(i.recipient, 1) = '+' THEN substr(i.recipient, 2)
                        ELSE i.recipient END) COLLATE "C" AS digits,
           i.category, sum(i.counted) AS counted, sum(i.micros) AS micros
      FROM items i
     GROUP BY 1, 2, 3
  ), located AS (
    SELECT DISTINCT ON (n.day, n.digits) n.day, n.digits, mp.market
      FROM (SELECT DISTINCT p.day, p.digits FROM per_number p) n
     CROSS JOIN generate_series(1, least(length(n.digits), 15)) AS k(len)
      JOIN market_prefix mp ON mp.prefix = left(n.digits, k.len)
                           AND mp.valid_from <= n.day
                           AND (mp.valid_to IS NULL OR mp.valid_to > n.day)
     ORDER BY n.day, n.digits, k.len DESC, mp.valid_from DESC
  )
  SELECT p.day, coalesce(l.market, 'Other'), p.category, sum(p.counted)::bigint,
         sum(p.micros)::bigint
    FROM per_number p
    LEFT JOIN located l ON l.day = p.day AND l.digits = p.digits
   GROUP BY 1, 2, 3
$$;

-- The spend page: what the tenant's batches decided in [p_from, p_to] (UTC days, inclusive; both
-- required, at most 366 days) cost, by market and category. Counted per charged recipient (the
-- first recipients_allowed of a batch: all of them unless it was partial) at its unit price, less
-- the refund the ledger holds for it (an undelivered recipient is refunded exactly its unit price,
-- settle_outcomes); a voided batch counts nothing (its void gave the whole debit back). So the sum
-- of spent_micros over the rows is exactly -(the sum of the debit, refund and void entries of those
-- batches): each batch's debit is the sum of its charged recipients' unit prices, and the entries
-- of a generation voided before the batch was decided again cancel out. recipients counts the
-- charged recipients not reported undelivered.
--
-- A recipient's market is the market of the longest prefix of its E.164 digits (the recipient
-- without its '+') among the prefixes valid on the UTC day the batch was decided, as
-- market_prefixes_at gives them to the plugin that priced it (valid_from <= day < valid_to);
-- 'Other' when none matches, as the plugin's own fallback. Each distinct number is looked up once
-- per day, by its candidate prefixes left(digits, n), n = 1..15, joined to market_prefix by
-- equality on prefix (its primary key leads with it: the planner probes the key or hashes the
-- table, a few hundred rows): no pattern match against every prefix.
--
-- Rows are ordered by spent_micros (most first), then market and category. A group whose every
-- recipient was refunded stays, with 0.
CREATE FUNCTION portal_spend(p_token_sha256 bytea, p_tenant_id text, p_from date, p_to date,
                             OUT market text, OUT category text, OUT recipients bigint,
                             OUT spent_micros bigint)
  RETURNS SETOF record
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_tenant text;
BEGIN
  IF p_from IS NULL OR p_to IS NULL OR p_from > p_to OR p_to - p_from + 1 > 366 THEN
    RAISE EXCEPTION 'spend period from % to % must give both days, the first not after the last, '
      'at most 366 days', coalesce(p_from::text, 'NULL'), coalesce(p_to::text, 'NULL')
      USING ERRCODE = '22023';
  END IF;
  v_tenant := portal_visible_tenant(p_token_sha256, p_tenant_id);
  IF v_tenant IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY
  SELECT s.market, s.category, sum(s.recipients)::bigint, sum(s.spent_micros)::bigint AS spent
    FROM spend_by_day(v_tenant, p_from, p_to) s
   GROUP BY 1, 2
   ORDER BY spent DESC, 1, 2;
END
$$;

-- The notifications page: the tenant's outbox events (sql/009), newest first, a page of p_limit
-- (1..1000) before event p_before_event_id (NULL: the newest). The payload as its JSON text;
-- last_error is not shown: it is the relay's delivery error and may hold the notifier's internals.
CREATE FUNCTION portal_notifications(p_token_sha256 bytea, p_tenant_id text,
                                     p_before_event_id bigint, p_limit integer,
                                     OUT event_id bigint, OUT type text,
                                     OUT created_at timestamptz, OUT sent_at timestamptz,
                                     OUT attempts integer, OUT payload text)
  RETURNS SETOF record
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
#variable_conflict use_column
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
  SELECT e.event_id, e.type, e.created_at, e.sent_at, e.attempts, e.payload::text
    FROM outbox_event e
   WHERE e.tenant_id = v_tenant
     AND (p_before_event_id IS NULL OR e.event_id < p_before_event_id)
   ORDER BY e.event_id DESC
   LIMIT p_limit;
END
$$;

-- Admin pages -----------------------------------------------------------------------------------

-- Every tenant, by id, with its balance and what it spent today (as tenant_account counts it,
-- sql/016: -(debits, refunds and voids written since 00:00 UTC)). One query: today's entries of
-- each tenant come from the (tenant_id, created_at) index of sql/016, one short range per tenant,
-- so the page costs the same whatever the ledger's history.
CREATE FUNCTION portal_tenants(p_token_sha256 bytea, OUT tenant_id text, OUT currency text,
                               OUT minor_units smallint, OUT balance_micros bigint,
                               OUT spent_today_micros bigint, OUT contacts text[],
                               OUT created_at timestamptz)
  RETURNS SETOF record
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_midnight timestamptz := date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
BEGIN
  PERFORM portal_admin_email(p_token_sha256);
  RETURN QUERY
  SELECT t.tenant_id, t.currency, coalesce(c.minor_units, 2)::smallint, t.balance_micros,
         coalesce(s.spent, 0)::bigint, t.contacts, t.created_at
    FROM tenant t
    LEFT JOIN currency c ON c.code = t.currency
    LEFT JOIN LATERAL (SELECT -sum(l.amount_micros) AS spent
                         FROM ledger_entry l
                        WHERE l.tenant_id = t.tenant_id
                          AND l.kind IN ('debit', 'refund', 'void')
                          AND l.created_at >= v_midnight) s ON true
   ORDER BY t.tenant_id;
END
$$;

-- An admin's top-up: topup() (sql/013) with its checks, limits and messages, and the admin's email
-- kept in portal_topup for the entry it wrote. Idempotent by reference as topup() is: the same
-- reference and amount again (a double submit, a reload) return the same entry with replayed true
-- and write nothing (balance_after_micros is then the balance now, as topup() answers a replay);
-- the same reference with another amount is refused (23505, topup()'s message naming both). An
-- unknown tenant is refused by topup() (P0002, 'unknown tenant ...').
CREATE FUNCTION portal_top_up(p_token_sha256 bytea, p_tenant_id text, p_amount_micros bigint,
                              p_reference text, p_note text,
                              OUT entry_id bigint, OUT balance_after_micros bigint,
                              OUT replayed boolean)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_email  text := portal_admin_email(p_token_sha256);
  v_result topup_result;
BEGIN
  v_result := topup(p_tenant_id, p_amount_micros, p_reference, p_note);
  IF NOT v_result.replayed THEN
    INSERT INTO portal_topup (tenant_id, entry_id, email)
    VALUES (p_tenant_id, v_result.entry_id, v_email);
  END IF;
  entry_id := v_result.entry_id;
  balance_after_micros := v_result.balance_after_micros;
  replayed := v_result.replayed;
END
$$;

-- An admin's new tenant: add_tenant() (sql/013) with its checks and messages ('created', or
-- 'exists' for the same id and currency again; another currency, 23505; a code that is not an
-- active ISO 4217 currency, CGCUR). Checked here first, naming the value (22023): the id, by the
-- rule the plugin and creditctl apply (plugin/base/tenant_id.hpp), and the first contact as
-- portal_set_contacts checks contacts. An empty contact is none.
CREATE FUNCTION portal_add_tenant(p_token_sha256 bytea, p_tenant_id text, p_currency text,
                                  p_contact text) RETURNS text
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_contact text := nullif(p_contact, '');
BEGIN
  PERFORM portal_admin_email(p_token_sha256);
  IF p_tenant_id IS NULL OR p_tenant_id !~ '^[!-~]{1,64}$' THEN
    RAISE EXCEPTION 'tenant id % must be 1 to 64 printable ASCII characters without spaces',
      portal_quoted(p_tenant_id) USING ERRCODE = '22023';
  END IF;
  IF v_contact IS NOT NULL THEN
    PERFORM check_portal_contacts(ARRAY[v_contact]);
  END IF;
  RETURN add_tenant(p_tenant_id, p_currency, v_contact);
END
$$;

-- An admin replaces a tenant's contacts (an empty list, or NULL, leaves none, as
-- set_tenant_contacts does); the list as stored is returned. Checked by check_portal_contacts; an
-- unknown tenant is refused (P0002).
CREATE FUNCTION portal_set_contacts(p_token_sha256 bytea, p_tenant_id text, p_contacts text[])
  RETURNS text[]
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_stored text[];
BEGIN
  PERFORM portal_admin_email(p_token_sha256);
  PERFORM check_portal_contacts(p_contacts);
  UPDATE tenant SET contacts = coalesce(p_contacts, '{}')
   WHERE tenant_id = p_tenant_id
  RETURNING contacts INTO v_stored;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown tenant %', portal_quoted(p_tenant_id) USING ERRCODE = 'P0002';
  END IF;
  RETURN v_stored;
END
$$;

-- Admins read every table (sql/006); nobody writes portal_topup but portal_top_up.
REVOKE ALL ON portal_topup FROM PUBLIC;
GRANT SELECT ON portal_topup TO creditgate_admin;
REVOKE EXECUTE ON FUNCTION portal_admin_email(bytea), portal_quoted(text),
  spend_by_day(text, date, date),
  check_portal_contacts(text[]),
  portal_tenant_info(bytea, text),
  portal_batches(bytea, text, date, date, timestamptz, text, integer),
  portal_spend(bytea, text, date, date),
  portal_notifications(bytea, text, bigint, integer),
  portal_tenants(bytea),
  portal_top_up(bytea, text, bigint, text, text),
  portal_add_tenant(bytea, text, text, text),
  portal_set_contacts(bytea, text, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
  portal_tenant_info(bytea, text),
  portal_batches(bytea, text, date, date, timestamptz, text, integer),
  portal_spend(bytea, text, date, date),
  portal_notifications(bytea, text, bigint, integer),
  portal_tenants(bytea),
  portal_top_up(bytea, text, bigint, text, text),
  portal_add_tenant(bytea, text, text, text),
  portal_set_contacts(bytea, text, text[]) TO creditgate_portal;

-- An admin's password reset also lifts the email's login limit (sql/019 forgot failures only on a
-- successful login): the user locked out by wrong guesses logs in with the new password at once,
-- as docs/PORTAL.md and the portal's lockout message say. Same signature, grants and checks as 018.
CREATE OR REPLACE FUNCTION reset_portal_password(p_email text, p_password_hash text) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
BEGIN
  IF p_password_hash IS NULL OR p_password_hash NOT LIKE '$argon2id$%' THEN
    RAISE EXCEPTION 'password_hash must be an Argon2id hash ($argon2id$...)' USING ERRCODE = '22023';
  END IF;
  UPDATE portal_user SET password_hash = p_password_hash, password_set_at = now()
   WHERE email = lower(p_email);
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  DELETE FROM portal_login_failure WHERE email = lower(p_email);
  RETURN true;
END
$$;

-- portal_ledger (sql/020) with a plan made for each call's own arguments. Its generic plan, which
-- PL/pgSQL switches to after five calls, turns "entry_id < p_before_entry_id (or no bound)" into a
-- filter, so a page deep in a long ledger read every newer entry first, and the CSV download (a
-- chunk of 1,000 after another) grew with the square of the ledger: 1.4-2.0 s for 100,000 entries
-- against 0.6 s with this (docs/PERFORMANCE.md).
ALTER FUNCTION portal_ledger(bytea, text, date, date, bigint, integer)
  SET plan_cache_mode = force_custom_plan;
