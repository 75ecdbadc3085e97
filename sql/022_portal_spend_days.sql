-- The spend page over long periods (issue 14). portal_spend (sql/021) finds every charged
-- recipient's market from its number, which for a year of a busy tenant is about a second of work
-- (docs/PERFORMANCE.md): too slow for a page. Past days do not change often, so each (tenant, UTC
-- day) is computed once and kept by market and category; a page adds up the kept days and computes
-- only today live.
--
-- A kept day is computed again when something changed it after it was computed, as the ledger
-- shows: an entry (a late debit from a replayed journal, a refund) of one of that day's batches, a
-- recipient reported undelivered, or any void (a void may move a batch to another day, so it makes
-- every kept day of the tenant stale). Nothing on the money path writes here: the decision path
-- stays as it is.
SET LOCAL ROLE creditgate_owner;
SET LOCAL search_path = creditgate;

CREATE TABLE portal_spend_day (
  tenant_id    text NOT NULL,
  day          date NOT NULL,  -- UTC day of the batches' decisions
  market       text NOT NULL,
  category     text NOT NULL,
  recipients   bigint NOT NULL,
  spent_micros bigint NOT NULL,
  PRIMARY KEY (tenant_id, day, market, category)
);

-- Which days are kept (a day without spending has no portal_spend_day row, but is kept too).
CREATE TABLE portal_spend_day_done (
  tenant_id   text NOT NULL,
  day         date NOT NULL,
  -- When it was computed, less a margin (see portal_spend): changes written after this make it
  -- stale.
  computed_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, day)
);
REVOKE ALL ON portal_spend_day, portal_spend_day_done FROM PUBLIC;

-- Undelivered outcomes by time, to find the days they changed (delivered ones change nothing).
CREATE INDEX recipient_outcome_undelivered ON recipient_outcome (tenant_id, settled_at)
  WHERE NOT delivered;

-- Same signature and answer as sql/021's; VOLATILE now, since it keeps the days it computes.
CREATE OR REPLACE FUNCTION portal_spend(p_token_sha256 bytea, p_tenant_id text, p_from date,
                                        p_to date, OUT market text, OUT category text,
                                        OUT recipients bigint, OUT spent_micros bigint)
  RETURNS SETOF record
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_tenant text;
  v_today date := (now() AT TIME ZONE 'UTC')::date;
  v_last_kept date;
  v_since timestamptz;
  v_stale date[];
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
  -- Days before today are kept; today is still being written, so it is always computed live.
  v_last_kept := least(p_to, v_today - 1);
  IF p_from <= v_last_kept THEN
    -- One computation of a tenant's days at a time: two page loads would compute them twice.
    PERFORM pg_advisory_xact_lock(hashtextextended('creditgate.portal_spend_day:' || v_tenant, 0));
    SELECT min(s.computed_at) INTO v_since
      FROM portal_spend_day_done s
     WHERE s.tenant_id = v_tenant AND s.day BETWEEN p_from AND v_last_kept;
    IF v_since IS NULL OR EXISTS (
         SELECT FROM ledger_entry l
          WHERE l.tenant_id = v_tenant AND l.kind = 'void' AND l.created_at > v_since) THEN
      SELECT array_agg(g.day::date) INTO v_stale
        FROM generate_series(p_from::timestamp, v_last_kept::timestamp, interval '1 day') g(day);
    ELSE
      SELECT array_agg(DISTINCT x.day) INTO v_stale
        FROM (SELECT g.day::date AS day
                FROM generate_series(p_from::timestamp, v_last_kept::timestamp, interval '1 day') g(day)
               WHERE NOT EXISTS (SELECT FROM portal_spend_day_done s
                                  WHERE s.tenant_id = v_tenant AND s.day = g.day::date)
              UNION ALL
              SELECT c.day
                FROM (SELECT (b.decided_at AT TIME ZONE 'UTC')::date AS day, l.created_at AS at
                        FROM ledger_entry l
                        JOIN batch b ON b.tenant_id = l.tenant_id AND b.batch_id = l.batch_id
                       WHERE l.tenant_id = v_tenant AND l.created_at > v_since
                         AND l.batch_id IS NOT NULL
                      UNION ALL
                      SELECT (b.decided_at AT TIME ZONE 'UTC')::date, o.settled_at
                        FROM recipient_outcome o
                        JOIN batch b ON b.tenant_id = o.tenant_id AND b.batch_id = o.batch_id
                       WHERE o.tenant_id = v_tenant AND NOT o.delivered
                         AND o.settled_at > v_since) c
                JOIN portal_spend_day_done s ON s.tenant_id = v_tenant AND s.day = c.day
                                            AND c.at > s.computed_at
               WHERE c.day BETWEEN p_from AND v_last_kept) x;
    END IF;
    IF v_stale IS NOT NULL THEN
      DELETE FROM portal_spend_day d WHERE d.tenant_id = v_tenant AND d.day = ANY (v_stale);
      INSERT INTO portal_spend_day (tenant_id, day, market, category, recipients, spent_micros)
      SELECT v_tenant, s.day, s.market, s.category, s.recipients, s.spent_micros
        FROM spend_by_day(v_tenant, (SELECT min(d) FROM unnest(v_stale) d),
                          (SELECT max(d) FROM unnest(v_stale) d)) s
       WHERE s.day = ANY (v_stale);
      -- The margin: a change is stamped with its transaction's start (now() as its default), and
      -- may commit after this computation's snapshot was taken; 15 minutes back covers any
      -- transaction of the money path (their statements time out long before).
      INSERT INTO portal_spend_day_done AS s (tenant_id, day, computed_at)
      SELECT v_tenant, d, now() - interval '15 minutes' FROM unnest(v_stale) d
      ON CONFLICT (tenant_id, day) DO UPDATE SET computed_at = EXCLUDED.computed_at;
    END IF;
  END IF;
  RETURN QUERY
  SELECT x.market, x.category, sum(x.recipients)::bigint, sum(x.spent_micros)::bigint AS spent
    FROM (SELECT d.market, d.category, d.recipients, d.spent_micros
            FROM portal_spend_day d
           WHERE d.tenant_id = v_tenant AND d.day BETWEEN p_from AND v_last_kept
          UNION ALL
          SELECT l.market, l.category, l.recipients, l.spent_micros
            FROM spend_by_day(v_tenant, greatest(p_from, v_today), p_to) l
           WHERE p_to >= v_today) x
   GROUP BY 1, 2
   ORDER BY spent DESC, 1, 2;
END
$$;


-- Planned for each call's own arguments: with PL/pgSQL's generic plan, "written since v_since"
-- reads every entry of the tenant instead of the few written since its days were kept.
ALTER FUNCTION portal_spend(bytea, text, date, date) SET plan_cache_mode = force_custom_plan;
