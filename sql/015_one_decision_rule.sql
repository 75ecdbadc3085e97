-- One decision rule. decide_batch and decide_batches share one core, decide_flush: the replay test,
-- the reason-to-decision mapping (decision_of), the notification payloads and the call to judge()
-- are written once, there. A single decision is a flush of one. A flush the core cannot take whole
-- (a batch it refuses, one batch id twice) goes one batch at a time, each through the same core in
-- its own subtransaction, so a failing batch fails alone; the results then say why (fallback), so
-- the plugin counts and logs every fallback and a broken fast path shows as an alert, not as a
-- silent slowdown.
--
-- A request is one composite value (decision_request) whatever it came as: the plugin's JSON (one
-- serializer, decisionRequestJson) or decide_batch's positional arguments.
SET LOCAL ROLE creditgate_owner;
SET LOCAL search_path = creditgate;

DROP FUNCTION decide_batches(jsonb);
DROP FUNCTION decide_batches_together(jsonb, text[]);
DROP FUNCTION decide_batches_one_by_one(jsonb);
DROP FUNCTION decide_batch(text, text, text, text, text, text[], bigint[], text, text, bigint,
                           bigint, bigint, bigint, integer, bigint, timestamptz);
DROP TYPE flushed_decision;

-- One batch as the plugin asks about it.
CREATE TYPE decision_request AS (
  tenant_id              text,
  batch_id               text,
  campaign_id            text,
  template_name          text,
  category               text,
  recipients             text[],
  unit_prices_micros     bigint[],
  currency               text,
  policy                 text,     -- block | flag | partial | outage (a journaled batch, replayed)
  overdraft_limit_micros bigint,
  rate_card_id           bigint,
  warning_micros         bigint,   -- low-balance thresholds; NULL: off
  critical_micros        bigint,
  notify_interval_ms     integer,
  attempt                bigint,   -- the decide() call's id (NULL: none; never voided)
  decided_at             timestamptz  -- an outage batch's send time; NULL: now
);

CREATE TYPE flushed_decision AS (
  ordinal              integer,  -- position in the flush, from 1
  decision             text,
  reason               text,
  charged_micros       bigint,
  balance_after_micros bigint,
  recipients_allowed   integer,
  replayed             boolean,
  currency             text,
  price_micros         numeric,
  error                text,     -- non-NULL: this batch failed (and moved nothing); the others stand
  fallback             text      -- non-NULL: the flush went one by one, and why
);

-- The plugin's JSON array of requests (decisionRequestJson) as requests, in order. PL/pgSQL, not
-- SQL: it keeps its plan for the session, where an SQL function that cannot be inlined is planned
-- again on every call (0.17 ms against 0.06 ms per 100-recipient decision).
CREATE FUNCTION decision_requests(p_batches jsonb) RETURNS decision_request[]
  LANGUAGE plpgsql IMMUTABLE  -- built-ins only: no search_path to pin
AS $$
BEGIN
  RETURN ARRAY(SELECT r
                 FROM jsonb_array_elements(p_batches) WITH ORDINALITY AS e(item, ordinality),
                      jsonb_populate_record(NULL::creditgate.decision_request, e.item) AS r
                ORDER BY e.ordinality);
END
$$;

-- judge() takes the batch's price, known to every caller, and answers a batch the balance covers
-- without the running sums it needs only when the balance falls short.
DROP FUNCTION judge(bigint, bigint[], text, bigint);
CREATE FUNCTION judge(p_balance bigint, p_unit_prices_micros bigint[], p_price numeric,
                      p_policy text, p_overdraft_limit_micros bigint,
                      OUT reason text, OUT allowed integer, OUT charge numeric,
                      OUT floor_micros bigint, OUT affordable integer)
  LANGUAGE plpgsql IMMUTABLE SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_count integer := cardinality(p_unit_prices_micros);
  v_paid  numeric;
BEGIN
  floor_micros := CASE WHEN p_policy IN ('flag', 'outage') THEN -p_overdraft_limit_micros ELSE 0 END;
  allowed := v_count;
  charge := p_price;
  IF p_price > 0 AND p_balance - p_price >= 0 THEN
    -- Covered: every prefix of the batch is affordable. The common case, with no query.
    reason := CASE WHEN p_policy = 'outage' THEN 'ledger_unavailable' ELSE 'ok' END;
    affordable := v_count;
    RETURN;
  END IF;
  -- Running sums never decrease, so the affordable recipients are always a prefix of the batch.
  SELECT count(*), coalesce(max(running), 0) INTO affordable, v_paid
    FROM (SELECT sum(p) OVER (ORDER BY i) AS running
            FROM unnest(p_unit_prices_micros) WITH ORDINALITY AS u(p, i)) s
   WHERE running <= p_balance::numeric - floor_micros;
  IF p_price = 0 THEN
    reason := 'ok';  -- free messages are never refused for lack of credit, also in debt
    floor_micros := least(floor_micros, p_balance);
  ELSIF p_policy IN ('flag', 'outage') AND p_balance - p_price >= floor_micros THEN
    reason := 'overdraft';
  ELSIF p_policy = 'partial' AND affordable > 0 THEN
    reason := 'partial_credit';
    allowed := affordable;
    charge := v_paid;
  ELSE
    reason := CASE WHEN p_policy IN ('flag', 'outage') THEN 'overdraft_limit_exceeded'
                   ELSE 'insufficient_credit' END;
    allowed := 0;
    charge := 0;
  END IF;
  IF p_policy = 'outage' AND reason IN ('ok', 'overdraft') THEN
    reason := 'ledger_unavailable';  -- sent without the ledger: flagged whatever the balance
  END IF;
END
$$;

-- The core: every batch of the flush decided, in arrival order per tenant, on a running balance;
-- then one statement per table writes the rows, with named columns. p_locked: the tenants whose
-- row the caller holds locked; only those are judged (a tenant created since counts as unknown).
-- Raises (22023 with the argument problem, or CG001 for one batch id twice) when a batch cannot be
-- taken: whatever it wrote by then is rolled back with the caller's subtransaction.
--
-- plan_cache_mode: PL/pgSQL plans a statement with parameters afresh on every call until a generic
-- plan looks no dearer than the custom ones, which for the wide query below never happens: planning
-- it cost more than running it (about 0.8 ms of a 100-recipient decision). The generic plan (index
-- lookups per request) is the plan for every flush size.
CREATE FUNCTION decide_flush(p_requests decision_request[], p_locked text[])
  RETURNS flushed_decision[]
  LANGUAGE plpgsql SET search_path = creditgate, pg_temp SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  b           record;
  v_results   flushed_decision[] := '{}';
  v_result    flushed_decision;
  v_tenant    text;       -- the tenant of the batches being judged (they come grouped by tenant)
  v_balance   bigint;     -- its running balance
  v_charged   boolean := false;
  v_judged    record;
  v_reason    text;
  v_charge    bigint;     -- what judge() allowed: the charge, recipients and the floor
  v_allowed   integer;
  v_floor     bigint;
  v_decision  text;
  v_after     bigint;
  v_shortfall numeric;
  v_payload   jsonb;
  -- The rows to write, gathered in the loop and written by one statement per table.
  v_entry     ledger_entry;
  v_entries   ledger_entry[] := '{}';
  v_entry_at  integer[] := '{}';    -- their batches' positions: ids follow the order of arrival
  v_batch     batch;
  v_new       batch[] := '{}';      -- first decisions of their id
  v_again     batch[] := '{}';      -- decided afresh after a void: the next generation
  v_refusal   batch_refusal;
  v_refusals  batch_refusal[] := '{}';
  v_refusal_at integer[] := '{}';
  t_tenant    text[] := '{}';       -- balances to write back
  t_balance   bigint[] := '{}';
  a_tenant    text[] := '{}';       -- replays whose attempt joins the batch's answered attempts
  a_batch     text[] := '{}';
  a_attempt   bigint[] := '{}';
BEGIN
  FOR b IN
    SELECT r.*, r.ordinality::integer AS position,
           (SELECT sum(p) FROM unnest(r.unit_prices_micros) p) AS price,
           arguments.problem,
           count(*) OVER (PARTITION BY r.tenant_id, r.batch_id) AS copies,
           t.tenant_id IS NOT NULL AS known, t.balance_micros AS balance,
           t.currency AS tenant_currency,
           o.batch_id IS NOT NULL AND o.voided_at IS NULL AS seen,
           o.generation AS seen_generation,
           (o.campaign_id = r.campaign_id AND o.template_name = r.template_name
            AND o.category = r.category AND o.recipients = r.recipients) AS same_content,
           o.decision AS seen_decision, o.reason AS seen_reason,
           o.charged_micros AS seen_charged, o.balance_after_micros AS seen_balance_after,
           o.recipients_allowed AS seen_allowed,
           r.attempt IS NOT NULL AND r.attempt = ANY (o.answered_attempts) AS attempt_answered
      FROM unnest(p_requests) WITH ORDINALITY AS r
     CROSS JOIN LATERAL (
       SELECT CASE WHEN r.tenant_id IS NULL OR r.currency IS NULL THEN 'batch: NULL tenant or currency'
                   WHEN array_ndims(r.recipients) > 1 OR array_ndims(r.unit_prices_micros) > 1
                     THEN 'batch: recipients and prices must be flat lists'
                   ELSE (SELECT q FROM batch_arguments_problem(r.batch_id, r.campaign_id,
                                           r.template_name, r.category, r.recipients,
                                           r.unit_prices_micros, r.policy,
                                           r.overdraft_limit_micros) q) END AS problem
     ) arguments
      LEFT JOIN tenant t ON t.tenant_id = r.tenant_id AND t.tenant_id = ANY (p_locked)
      LEFT JOIN batch o ON o.tenant_id = r.tenant_id AND o.batch_id = r.batch_id
     ORDER BY r.tenant_id, r.ordinality
  LOOP
    IF b.problem IS NOT NULL THEN
      RAISE EXCEPTION '%', b.problem USING ERRCODE = '22023';
    END IF;
    IF b.copies > 1 THEN
      RAISE EXCEPTION 'batch %: its batch id comes twice in one flush', b.position
        USING ERRCODE = 'CG001';
    END IF;
    IF b.tenant_id IS DISTINCT FROM v_tenant THEN
      IF v_charged THEN
        t_tenant := t_tenant || v_tenant;
        t_balance := t_balance || v_balance;
      END IF;
      v_tenant := b.tenant_id;
      v_balance := b.balance;
      v_charged := false;
    END IF;

    v_result := ROW(b.position, 'block', NULL, 0, NULL, 0, false, NULL, b.price, NULL, NULL);
    IF NOT b.known THEN
      v_result.reason := 'unknown_tenant';
      v_results := v_results || v_result;
      CONTINUE;
    END IF;
    v_result.currency := b.tenant_currency;

    -- The replay test. Holding the tenant's row lock, this sees every batch committed before us.
    IF b.seen AND b.same_content THEN
      IF b.attempt IS NOT NULL AND NOT b.attempt_answered THEN
        a_tenant := a_tenant || b.tenant_id;
        a_batch := a_batch || b.batch_id;
        a_attempt := a_attempt || b.attempt;
      END IF;
      v_result.decision := b.seen_decision;
      v_result.reason := b.seen_reason;
      v_result.charged_micros := b.seen_charged;
      v_result.balance_after_micros := b.seen_balance_after;
      v_result.recipients_allowed := b.seen_allowed;
      -- The same call asking again (a retry of a lost answer) is not a replay: its money moved.
      v_result.replayed := b.attempt IS NULL OR NOT b.attempt_answered;
      v_results := v_results || v_result;
      CONTINUE;
    END IF;

    v_shortfall := 0;
    v_charge := 0;
    IF b.seen THEN
      v_reason := 'batch_conflict';
    ELSIF b.tenant_currency <> b.currency THEN
      v_reason := 'currency_mismatch';
    ELSE
      v_judged := judge(v_balance, b.unit_prices_micros, b.price, b.policy,
                        b.overdraft_limit_micros);
      v_reason := v_judged.reason;
      v_charge := v_judged.charge;
      v_allowed := v_judged.allowed;
      v_floor := v_judged.floor_micros;
      v_shortfall := greatest(b.price - (v_balance - v_floor), 0);
    END IF;
    v_decision := decision_of(v_reason);
    v_result.reason := v_reason;

    IF v_decision = 'block' THEN
      v_refusal := NULL;
      v_refusal.tenant_id := b.tenant_id;
      v_refusal.batch_id := b.batch_id;
      v_refusal.campaign_id := b.campaign_id;
      v_refusal.template_name := b.template_name;
      v_refusal.category := b.category;
      v_refusal.recipient_count := cardinality(b.recipients);
      v_refusal.reason := v_reason;
      v_refusal.policy := b.policy;
      v_refusal.price_micros := b.price;
      v_refusal.balance_micros := v_balance;
      v_refusal.shortfall_micros := v_shortfall;
      v_refusals := v_refusals || v_refusal;
      v_refusal_at := v_refusal_at || b.position;
      v_result.balance_after_micros := v_balance;
    ELSE
      v_after := v_balance - v_charge;
      v_balance := v_after;
      v_charged := true;

      v_entry := NULL;
      v_entry.tenant_id := b.tenant_id;
      v_entry.kind := 'debit';
      v_entry.amount_micros := -v_charge;
      v_entry.balance_after_micros := v_after;
      v_entry.floor_micros := v_floor;
      v_entry.batch_id := b.batch_id;
      v_entry.batch_generation := coalesce(b.seen_generation + 1, 0);  -- after a void: the next
      v_entries := v_entries || v_entry;
      v_entry_at := v_entry_at || b.position;

      v_batch := NULL;
      v_batch.tenant_id := b.tenant_id;
      v_batch.batch_id := b.batch_id;
      v_batch.campaign_id := b.campaign_id;
      v_batch.template_name := b.template_name;
      v_batch.category := b.category;
      v_batch.recipients := b.recipients;
      v_batch.unit_prices_micros := b.unit_prices_micros;
      v_batch.rate_card_id := b.rate_card_id;
      v_batch.decision := v_decision;
      v_batch.reason := v_reason;
      v_batch.policy := b.policy;
      v_batch.recipients_allowed := v_allowed;
      v_batch.charged_micros := v_charge;
      v_batch.balance_after_micros := v_after;
      v_batch.decided_at := coalesce(b.decided_at, now());
      v_batch.answered_attempts := array_remove(ARRAY[b.attempt], NULL);
      v_batch.generation := v_entry.batch_generation;
      IF b.seen_generation IS NULL THEN
        v_new := v_new || v_batch;
      ELSE
        v_again := v_again || v_batch;
      END IF;

      v_result.decision := v_decision;
      v_result.charged_micros := v_charge;
      v_result.balance_after_micros := v_after;
      v_result.recipients_allowed := v_allowed;
    END IF;

    -- Notifications, from the same calls, at the same points, for every path.
    IF v_reason IN ('insufficient_credit', 'overdraft_limit_exceeded', 'overdraft')
       OR (v_reason = 'ledger_unavailable' AND v_balance < 0) THEN
      v_payload := jsonb_build_object('batch_id', b.batch_id, 'decision', v_decision,
                                      'reason', v_reason, 'price_micros', b.price,
                                      'balance_micros', v_balance,
                                      'shortfall_micros', CASE WHEN v_decision = 'block'
                                                               THEN v_shortfall
                                                               ELSE -least(v_balance, 0) END,
                                      'currency', b.tenant_currency);
      PERFORM emit_paced(b.tenant_id, 'insufficient_credit', 'insufficient_credit', v_payload,
                         b.notify_interval_ms);
    END IF;
    -- note_balance_fall does nothing at or above every threshold: skip the call there.
    IF v_decision <> 'block' AND v_charge > 0
       AND v_balance < greatest(b.warning_micros, b.critical_micros, 1) THEN
      PERFORM note_balance_fall(b.tenant_id, b.tenant_currency, v_balance, b.warning_micros,
                                b.critical_micros, b.notify_interval_ms);
    END IF;
    v_results := v_results || v_result;
  END LOOP;
  IF v_charged THEN
    t_tenant := t_tenant || v_tenant;
    t_balance := t_balance || v_balance;
  END IF;

  -- Each statement only when it has rows: starting an empty one costs as much as a small one.
  -- (= ANY: the generic plan looks the rows up by key; a join on the unnest alone scans the table.)
  IF cardinality(t_tenant) > 0 THEN
    UPDATE tenant t SET balance_micros = u.balance
      FROM unnest(t_tenant, t_balance) AS u(tenant_id, balance)
     WHERE t.tenant_id = u.tenant_id AND t.tenant_id = ANY (t_tenant);
  END IF;
  -- In arrival order, so entry and refusal ids follow the order the batches came in.
  IF cardinality(v_entries) > 0 THEN
    INSERT INTO ledger_entry (tenant_id, kind, amount_micros, balance_after_micros, floor_micros,
                              batch_id, batch_generation)
    SELECT (e).tenant_id, (e).kind, (e).amount_micros, (e).balance_after_micros, (e).floor_micros,
           (e).batch_id, (e).batch_generation
      FROM (SELECT unnest(v_entries) AS e, unnest(v_entry_at) AS position) d ORDER BY d.position;
  END IF;
  IF cardinality(v_new) > 0 THEN
    INSERT INTO batch (tenant_id, batch_id, campaign_id, template_name, category, recipients,
                       unit_prices_micros, rate_card_id, decision, reason, policy,
                       recipients_allowed, charged_micros, balance_after_micros, decided_at,
                       answered_attempts, generation)
    SELECT (n).tenant_id, (n).batch_id, (n).campaign_id, (n).template_name, (n).category,
           (n).recipients, (n).unit_prices_micros, (n).rate_card_id, (n).decision, (n).reason,
           (n).policy, (n).recipients_allowed, (n).charged_micros, (n).balance_after_micros,
           (n).decided_at, (n).answered_attempts, (n).generation
      FROM (SELECT unnest(v_new) AS n) d;
  END IF;
  IF cardinality(v_again) > 0 THEN
    UPDATE batch o
       SET campaign_id = (n).campaign_id, template_name = (n).template_name,
           category = (n).category, recipients = (n).recipients,
           unit_prices_micros = (n).unit_prices_micros, rate_card_id = (n).rate_card_id,
           decision = (n).decision, reason = (n).reason, policy = (n).policy,
           recipients_allowed = (n).recipients_allowed, charged_micros = (n).charged_micros,
           balance_after_micros = (n).balance_after_micros, decided_at = (n).decided_at,
           answered_attempts = (n).answered_attempts, generation = (n).generation, voided_at = NULL
      FROM (SELECT unnest(v_again) AS n) d
     WHERE o.tenant_id = (n).tenant_id AND o.batch_id = (n).batch_id;
  END IF;
  IF cardinality(v_refusals) > 0 THEN
    INSERT INTO batch_refusal (tenant_id, batch_id, campaign_id, template_name, category,
                               recipient_count, reason, policy, price_micros, balance_micros,
                               shortfall_micros)
    SELECT (r).tenant_id, (r).batch_id, (r).campaign_id, (r).template_name, (r).category,
           (r).recipient_count, (r).reason, (r).policy, (r).price_micros, (r).balance_micros,
           (r).shortfall_micros
      FROM (SELECT unnest(v_refusals) AS r, unnest(v_refusal_at) AS position) d
     ORDER BY d.position;
  END IF;
  IF cardinality(a_tenant) > 0 THEN
    UPDATE batch o SET answered_attempts = o.answered_attempts || u.attempt
      FROM unnest(a_tenant, a_batch, a_attempt) AS u(tenant_id, batch_id, attempt)
     WHERE o.tenant_id = u.tenant_id AND o.batch_id = u.batch_id;
  END IF;
  RETURN v_results;
END
$$;

-- A flush: its tenants locked in one fixed order (two flushes of any instances that share tenants
-- wait for each other instead of deadlocking), outside the subtransactions below (a lock taken in
-- one would be released if it rolled back); then the core on the whole flush, or, when it cannot
-- take it whole, on each batch alone. The results come in the requests' order, as an array: a
-- set-returning function between the plugin's call and the core costs a materialised copy.
CREATE FUNCTION decide_requests(p_requests decision_request[]) RETURNS flushed_decision[]
  LANGUAGE plpgsql SET search_path = creditgate, pg_temp SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  v_locked   text[];
  v_results  flushed_decision[];
  v_one      flushed_decision;
  v_fallback text;
BEGIN
  IF cardinality(p_requests) = 1 THEN
    -- A single decision, the path without group commit: one lock, and no subtransaction (a flush
    -- of one fails as its one batch does).
    v_locked := ARRAY(SELECT tenant_id FROM tenant WHERE tenant_id = (p_requests[1]).tenant_id
                         FOR UPDATE);
    RETURN decide_flush(p_requests, v_locked);
  END IF;
  -- (= ANY of an array: an index scan, where IN (subquery) may scan and join the whole table.)
  v_locked := ARRAY(SELECT tenant_id FROM tenant
                     WHERE tenant_id = ANY (ARRAY(SELECT DISTINCT (r).tenant_id
                                                    FROM unnest(p_requests) r))
                     ORDER BY tenant_id
                       FOR UPDATE);
  BEGIN
    v_results := decide_flush(p_requests, v_locked);
  EXCEPTION WHEN OTHERS THEN  -- rolled back whole; not a statement timeout: that ends the call
    v_fallback := SQLSTATE || ': ' || SQLERRM;
  END;
  IF v_fallback IS NULL THEN
    RETURN ARRAY(SELECT d FROM unnest(v_results) d ORDER BY d.ordinal);
  END IF;
  v_results := '{}';
  FOR v_ordinal IN 1 .. cardinality(p_requests) LOOP
    BEGIN
      v_one := (decide_flush(ARRAY[p_requests[v_ordinal]], v_locked))[1];
      v_one.ordinal := v_ordinal;
    EXCEPTION WHEN OTHERS THEN
      v_one := ROW(v_ordinal, 'block', 'internal_error', 0, NULL, 0, false, NULL, NULL,
                   SQLSTATE || ': ' || SQLERRM, NULL);
    END;
    v_one.fallback := v_fallback;
    v_results := v_results || v_one;
  END LOOP;
  RETURN v_results;
END
$$;

-- The plugin's call: p_batches is a JSON array of requests (decisionRequestJson); one result per
-- element, in order. A flush of one is a decision.
CREATE FUNCTION decide_batches(p_batches jsonb) RETURNS SETOF flushed_decision
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
BEGIN
  IF jsonb_typeof(p_batches) IS DISTINCT FROM 'array' OR jsonb_array_length(p_batches) = 0 THEN
    RAISE EXCEPTION 'decide_batches: expected a non-empty JSON array' USING ERRCODE = '22023';
  END IF;
  RETURN QUERY SELECT * FROM unnest(decide_requests(decision_requests(p_batches)));
END
$$;

-- One decision with positional arguments, for callers without the plugin's JSON (the benchmark's
-- baseline, admins' scripts): the same core, as a flush of one.
CREATE FUNCTION decide_batch(
    p_tenant_id text, p_batch_id text, p_campaign_id text, p_template_name text, p_category text,
    p_recipients text[], p_unit_prices_micros bigint[], p_currency text,
    p_policy text, p_overdraft_limit_micros bigint, p_rate_card_id bigint,
    p_warning_micros bigint, p_critical_micros bigint, p_notify_interval_ms integer,
    p_attempt bigint DEFAULT NULL, p_decided_at timestamptz DEFAULT NULL)
  RETURNS decision_result
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v flushed_decision;
BEGIN
  v := (decide_requests(ARRAY[ROW(p_tenant_id, p_batch_id, p_campaign_id, p_template_name,
      p_category, p_recipients, p_unit_prices_micros, p_currency, p_policy,
      p_overdraft_limit_micros, p_rate_card_id, p_warning_micros, p_critical_micros,
      p_notify_interval_ms, p_attempt, p_decided_at)::decision_request]))[1];
  RETURN ROW(v.decision, v.reason, v.charged_micros, v.balance_after_micros, v.recipients_allowed,
             v.replayed, v.currency, v.price_micros)::decision_result;
END
$$;

-- quote_batch with the one rule: judge() and decision_of(), as a decision would.
CREATE OR REPLACE FUNCTION quote_batch(
    p_tenant_id text, p_batch_id text, p_campaign_id text, p_template_name text, p_category text,
    p_recipients text[], p_unit_prices_micros bigint[], p_currency text,
    p_policy text, p_overdraft_limit_micros bigint)
  RETURNS quote_result
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_tenant tenant%ROWTYPE;
  v_batch  batch%ROWTYPE;
  v_judged record;
BEGIN
  PERFORM check_batch_arguments(p_batch_id, p_campaign_id, p_template_name, p_category,
                                p_recipients, p_unit_prices_micros, p_policy,
                                p_overdraft_limit_micros);
  SELECT * INTO v_tenant FROM tenant WHERE tenant_id = p_tenant_id;
  IF NOT FOUND THEN
    RETURN ROW('block', 'unknown_tenant', NULL, NULL, 0, NULL)::quote_result;
  END IF;
  v_judged := judge(v_tenant.balance_micros, p_unit_prices_micros,
                    (SELECT sum(p) FROM unnest(p_unit_prices_micros) p), p_policy,
                    p_overdraft_limit_micros);
  SELECT * INTO v_batch FROM batch
   WHERE tenant_id = p_tenant_id AND batch_id = p_batch_id AND voided_at IS NULL;
  IF FOUND THEN
    IF v_batch.campaign_id = p_campaign_id AND v_batch.template_name = p_template_name
       AND v_batch.category = p_category AND v_batch.recipients = p_recipients THEN
      RETURN ROW(v_batch.decision, v_batch.reason, v_tenant.balance_micros,
                 v_tenant.balance_micros - v_judged.floor_micros, v_judged.affordable,
                 v_tenant.currency)::quote_result;
    END IF;
    RETURN ROW('block', 'batch_conflict', v_tenant.balance_micros,
               v_tenant.balance_micros - v_judged.floor_micros, v_judged.affordable,
               v_tenant.currency)::quote_result;
  END IF;
  IF v_tenant.currency <> p_currency THEN
    RETURN ROW('block', 'currency_mismatch', v_tenant.balance_micros, NULL, 0,
               v_tenant.currency)::quote_result;
  END IF;
  RETURN ROW(decision_of(v_judged.reason), v_judged.reason, v_tenant.balance_micros,
             v_tenant.balance_micros - v_judged.floor_micros, v_judged.affordable,
             v_tenant.currency)::quote_result;
END
$$;

-- The plugin's quote: the same request encoding as a decision (one element of decide_batches).
CREATE FUNCTION quote_request(p_request jsonb) RETURNS quote_result
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
  SELECT q.* FROM jsonb_populate_record(NULL::decision_request, p_request) r,
         quote_batch(r.tenant_id, r.batch_id, r.campaign_id, r.template_name, r.category,
                     r.recipients, r.unit_prices_micros, r.currency, r.policy,
                     r.overdraft_limit_micros) q
$$;

REVOKE EXECUTE ON FUNCTION decision_requests(jsonb), decide_flush(decision_request[], text[]),
  decide_requests(decision_request[]), decide_batches(jsonb),
  decide_batch(text, text, text, text, text, text[], bigint[], text, text, bigint, bigint, bigint,
               bigint, integer, bigint, timestamptz),
  quote_request(jsonb),
  judge(bigint, bigint[], numeric, text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION decide_batches(jsonb), quote_request(jsonb),
  decide_batch(text, text, text, text, text, text[], bigint[], text, text, bigint, bigint, bigint,
               bigint, integer, bigint, timestamptz)
TO creditgate_plugin;
