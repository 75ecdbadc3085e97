-- Decisions whose answer was lost, and batches sent while the ledger could not answer.
--
-- In doubt: a decision reached the ledger but its answer did not reach the plugin (the connection
-- broke in flight, the decision deadline passed during the flush). The host is told
-- ledger_in_doubt and does not send. If it retries with the same batch_id it learns the verdict; if
-- it gives up, a debit the ledger took must not stay: the plugin notes its lost attempt here once the
-- ledger answers (note_doubt), and after a grace period void_doubtful_batches gives the money back
-- unless some decide() call did get this batch's verdict. Every decide() call carries an attempt id;
-- a batch remembers the attempts that got its verdict (the first decision's and every replay's), so
-- "no host was told" is exactly "every attempt that got the verdict is one whose answer was lost".
-- (TigerBeetle's pending transfers with a timeout are the model: here the pending state is implicit
-- and only the doubtful ones time out, so the common path pays nothing.)
--
-- Outage: a batch allowed by on_ledger_unavailable = allow_flagged is journaled by the plugin and
-- replayed with policy 'outage': judged like 'flag' (its floor includes the outage cap), recorded as
-- allow_flagged with reason ledger_unavailable, so that it is audited as sent unverified.
SET LOCAL ROLE creditgate_owner;
SET LOCAL search_path = creditgate;

-- A void gives a voided batch's debit back. A batch id may be decided again after a void (it was
-- never sent), so debits and voids are unique per batch *generation*: the decision after a void is
-- generation 1, and so on.
ALTER TABLE ledger_entry ADD COLUMN batch_generation integer NOT NULL DEFAULT 0;
ALTER TABLE ledger_entry
  DROP CONSTRAINT ledger_entry_kind_check,
  ADD CONSTRAINT ledger_entry_kind_check
    CHECK (kind IN ('topup', 'debit', 'refund', 'adjustment', 'void')),
  DROP CONSTRAINT ledger_entry_shape,
  ADD CONSTRAINT ledger_entry_shape CHECK (CASE kind
    WHEN 'topup' THEN amount_micros > 0 AND reference IS NOT NULL
    WHEN 'debit' THEN amount_micros <= 0 AND batch_id IS NOT NULL
    WHEN 'refund' THEN amount_micros > 0 AND batch_id IS NOT NULL AND recipient IS NOT NULL
    WHEN 'adjustment' THEN reference IS NOT NULL
    WHEN 'void' THEN amount_micros >= 0 AND batch_id IS NOT NULL
  END);
DROP INDEX ledger_one_debit_per_batch;
CREATE UNIQUE INDEX ledger_one_debit_per_batch ON ledger_entry (tenant_id, batch_id, batch_generation)
  WHERE kind = 'debit';
CREATE UNIQUE INDEX ledger_one_void_per_batch ON ledger_entry (tenant_id, batch_id, batch_generation)
  WHERE kind = 'void';

ALTER TABLE batch
  -- The decide() attempts that got this batch's verdict: the deciding one and every replay's.
  ADD COLUMN answered_attempts bigint[] NOT NULL DEFAULT '{}',
  ADD COLUMN generation integer NOT NULL DEFAULT 0,
  -- Set when void_doubtful_batches gave the debit back: the batch id is free again.
  ADD COLUMN voided_at timestamptz;

-- One row per decide() attempt whose answer a plugin lost, noted when the ledger answered again.
CREATE TABLE decision_doubt (
  tenant_id   text NOT NULL,
  batch_id    text NOT NULL,
  attempt     bigint NOT NULL,
  noted_at    timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  resolution  text CHECK (resolution IN ('voided', 'kept', 'not_recorded')),
  PRIMARY KEY (tenant_id, batch_id, attempt),
  CHECK ((resolved_at IS NULL) = (resolution IS NULL))
);
CREATE INDEX decision_doubt_due ON decision_doubt (noted_at) WHERE resolved_at IS NULL;

-- The decision a reason stands for, in one place for every path.
CREATE FUNCTION decision_of(p_reason text) RETURNS text
  LANGUAGE sql IMMUTABLE  -- built-ins only: inlined, no search_path to pin
AS $$
  SELECT CASE p_reason WHEN 'ok' THEN 'allow'
                       WHEN 'overdraft' THEN 'allow_flagged'
                       WHEN 'ledger_unavailable' THEN 'allow_flagged'
                       WHEN 'partial_credit' THEN 'allow_partial'
                       ELSE 'block' END
$$;

-- judge() with the policy 'outage': a batch that was already sent, judged like 'flag' against a floor
-- that includes the outage cap, and answered ledger_unavailable when it fits.
CREATE OR REPLACE FUNCTION judge(p_balance bigint, p_unit_prices_micros bigint[], p_policy text,
                                 p_overdraft_limit_micros bigint,
                                 OUT reason text, OUT allowed integer, OUT charge numeric,
                                 OUT floor_micros bigint, OUT affordable integer)
  LANGUAGE plpgsql IMMUTABLE SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_price numeric := (SELECT sum(p) FROM unnest(p_unit_prices_micros) p);  -- numeric: no overflow
  v_count integer := cardinality(p_unit_prices_micros);
  v_paid  numeric;
BEGIN
  floor_micros := CASE WHEN p_policy IN ('flag', 'outage') THEN -p_overdraft_limit_micros ELSE 0 END;
  -- Running sums never decrease, so the affordable recipients are always a prefix of the batch.
  SELECT count(*), coalesce(max(running), 0) INTO affordable, v_paid
    FROM (SELECT sum(p) OVER (ORDER BY i) AS running
            FROM unnest(p_unit_prices_micros) WITH ORDINALITY AS u(p, i)) s
   WHERE running <= p_balance::numeric - floor_micros;
  allowed := v_count;
  charge := v_price;
  IF v_price = 0 THEN
    reason := 'ok';  -- free messages are never refused for lack of credit, also in debt
    floor_micros := least(floor_micros, p_balance);
  ELSIF p_balance - v_price >= 0 THEN
    reason := 'ok';
  ELSIF p_policy IN ('flag', 'outage') AND p_balance - v_price >= floor_micros THEN
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

CREATE OR REPLACE FUNCTION batch_arguments_problem(p_batch_id text, p_campaign_id text,
                                                   p_template_name text, p_category text,
                                                   p_recipients text[],
                                                   p_unit_prices_micros bigint[],
                                                   p_policy text, p_overdraft_limit_micros bigint)
  RETURNS SETOF text
  LANGUAGE sql IMMUTABLE ROWS 1  -- built-ins only: no search_path to pin
AS $$
  SELECT CASE
    WHEN coalesce(cardinality(p_recipients), 0) = 0
         OR cardinality(p_recipients) <> coalesce(cardinality(p_unit_prices_micros), 0) THEN
      format('batch: %s recipients but %s unit prices', coalesce(cardinality(p_recipients), 0),
             coalesce(cardinality(p_unit_prices_micros), 0))
    WHEN p_policy IS NULL OR p_policy NOT IN ('block', 'flag', 'partial', 'outage') THEN
      format('batch: unknown policy %s', coalesce(p_policy, '<NULL>'))
    WHEN p_overdraft_limit_micros IS NULL OR p_overdraft_limit_micros < 0 THEN
      format('batch: overdraft limit must be >= 0, got %s',
             coalesce(p_overdraft_limit_micros::text, '<NULL>'))
    WHEN p_batch_id IS NULL OR p_campaign_id IS NULL OR p_template_name IS NULL
         OR p_category IS NULL OR array_position(p_recipients, NULL) IS NOT NULL
         OR EXISTS (SELECT FROM unnest(p_unit_prices_micros) p WHERE p IS NULL OR p < 0) THEN
      'batch: NULL field or negative price'
    WHEN (SELECT count(DISTINCT r) FROM unnest(p_recipients) r) <> cardinality(p_recipients) THEN
      'batch: duplicate recipients'
  END
$$;

-- decide_batch with the caller's attempt id (p_attempt; NULL from callers that have none: such a
-- decision is never voided) and, for a batch sent during an outage and replayed now, when it was
-- sent (p_decided_at; NULL: now). A replay adds the attempt to the batch's answered attempts, and says
-- replayed only when an earlier call got the verdict (the plugin's own retry of a lost answer is not
-- a replay: its money moved for this call). A voided batch is decided afresh as the next generation.
DROP FUNCTION decide_batch(text, text, text, text, text, text[], bigint[], text, text, bigint,
                           bigint, bigint, bigint, integer);
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
  v_tenant     tenant%ROWTYPE;
  v_batch      batch%ROWTYPE;
  v_seen       boolean;     -- a live (not voided) batch of this id exists
  v_generation integer := 0;
  v_price      numeric := (SELECT sum(p) FROM unnest(p_unit_prices_micros) p);
  v_judged     record;
  v_shortfall  numeric := 0;  -- how much more credit would have let a refused batch through
  v_reason     text;
  v_decision   text;
  v_after      bigint;
BEGIN
  PERFORM check_batch_arguments(p_batch_id, p_campaign_id, p_template_name, p_category,
                                p_recipients, p_unit_prices_micros, p_policy,
                                p_overdraft_limit_micros);

  SELECT * INTO v_tenant FROM tenant WHERE tenant_id = p_tenant_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN ROW('block', 'unknown_tenant', 0, NULL, 0, false, NULL, v_price)::decision_result;
  END IF;

  -- Holding the tenant's row lock, this read sees every batch committed before us: a concurrent
  -- retry of the same batch_id waits above and then replays here.
  SELECT * INTO v_batch FROM batch WHERE tenant_id = p_tenant_id AND batch_id = p_batch_id;
  v_seen := FOUND AND v_batch.voided_at IS NULL;
  IF FOUND AND NOT v_seen THEN
    v_generation := v_batch.generation + 1;
  END IF;
  IF v_seen THEN
    IF v_batch.campaign_id = p_campaign_id AND v_batch.template_name = p_template_name
       AND v_batch.category = p_category AND v_batch.recipients = p_recipients THEN
      IF p_attempt IS NOT NULL AND p_attempt <> ALL (v_batch.answered_attempts) THEN
        UPDATE batch SET answered_attempts = answered_attempts || p_attempt
         WHERE tenant_id = p_tenant_id AND batch_id = p_batch_id;
      END IF;
      RETURN ROW(v_batch.decision, v_batch.reason, v_batch.charged_micros,
                 v_batch.balance_after_micros, v_batch.recipients_allowed,
                 p_attempt IS NULL OR p_attempt <> ALL (v_batch.answered_attempts),
                 v_tenant.currency, v_price)::decision_result;
    END IF;
    v_reason := 'batch_conflict';
  ELSIF v_tenant.currency <> p_currency THEN
    v_reason := 'currency_mismatch';
  ELSE
    v_judged := judge(v_tenant.balance_micros, p_unit_prices_micros, p_policy,
                      p_overdraft_limit_micros);
    v_reason := v_judged.reason;
    v_shortfall := greatest(v_price - (v_tenant.balance_micros - v_judged.floor_micros), 0);
  END IF;

  v_decision := decision_of(v_reason);
  IF v_decision = 'block' THEN
    INSERT INTO batch_refusal (tenant_id, batch_id, campaign_id, template_name, category,
                               recipient_count, reason, policy, price_micros, balance_micros,
                               shortfall_micros)
    VALUES (p_tenant_id, p_batch_id, p_campaign_id, p_template_name, p_category,
            cardinality(p_recipients), v_reason, p_policy, v_price, v_tenant.balance_micros,
            v_shortfall);
    IF v_reason IN ('insufficient_credit', 'overdraft_limit_exceeded') THEN
      PERFORM emit_paced(p_tenant_id, 'insufficient_credit', 'insufficient_credit',
                         jsonb_build_object('batch_id', p_batch_id, 'decision', 'block',
                                            'reason', v_reason, 'price_micros', v_price,
                                            'balance_micros', v_tenant.balance_micros,
                                            'shortfall_micros', v_shortfall,
                                            'currency', v_tenant.currency),
                         p_notify_interval_ms);
    END IF;
    RETURN ROW('block', v_reason, 0, v_tenant.balance_micros, 0, false, v_tenant.currency,
               v_price)::decision_result;
  END IF;

  UPDATE tenant SET balance_micros = balance_micros - v_judged.charge::bigint
   WHERE tenant_id = p_tenant_id
  RETURNING balance_micros INTO v_after;

  INSERT INTO ledger_entry (tenant_id, kind, amount_micros, balance_after_micros, floor_micros,
                            batch_id, batch_generation)
  VALUES (p_tenant_id, 'debit', -v_judged.charge::bigint, v_after, v_judged.floor_micros,
          p_batch_id, v_generation);

  IF v_generation = 0 THEN
    INSERT INTO batch (tenant_id, batch_id, campaign_id, template_name, category, recipients,
                       unit_prices_micros, rate_card_id, decision, reason, policy,
                       recipients_allowed, charged_micros, balance_after_micros, decided_at,
                       answered_attempts)
    VALUES (p_tenant_id, p_batch_id, p_campaign_id, p_template_name, p_category, p_recipients,
            p_unit_prices_micros, p_rate_card_id, v_decision, v_reason, p_policy,
            v_judged.allowed, v_judged.charge::bigint, v_after, coalesce(p_decided_at, now()),
            array_remove(ARRAY[p_attempt], NULL));
  ELSE  -- the id was voided: this decision takes its row as the next generation
    UPDATE batch
       SET campaign_id = p_campaign_id, template_name = p_template_name, category = p_category,
           recipients = p_recipients, unit_prices_micros = p_unit_prices_micros,
           rate_card_id = p_rate_card_id, decision = v_decision, reason = v_reason,
           policy = p_policy, recipients_allowed = v_judged.allowed,
           charged_micros = v_judged.charge::bigint, balance_after_micros = v_after,
           decided_at = coalesce(p_decided_at, now()),
           answered_attempts = array_remove(ARRAY[p_attempt], NULL),
           generation = v_generation, voided_at = NULL
     WHERE tenant_id = p_tenant_id AND batch_id = p_batch_id;
  END IF;

  -- Sent on credit the tenant does not have: flagged by policy, or sent during an outage.
  IF v_reason = 'overdraft' OR (v_reason = 'ledger_unavailable' AND v_after < 0) THEN
    PERFORM emit_paced(p_tenant_id, 'insufficient_credit', 'insufficient_credit',
                       jsonb_build_object('batch_id', p_batch_id, 'decision', v_decision,
                                          'reason', v_reason, 'price_micros', v_price,
                                          'balance_micros', v_after,
                                          'shortfall_micros', -least(v_after, 0),
                                          'currency', v_tenant.currency),
                       p_notify_interval_ms);
  END IF;
  IF v_judged.charge > 0 THEN
    PERFORM note_balance_fall(p_tenant_id, v_tenant.currency, v_after, p_warning_micros,
                              p_critical_micros, p_notify_interval_ms);
  END IF;

  RETURN ROW(v_decision, v_reason, v_judged.charge::bigint, v_after, v_judged.allowed, false,
             v_tenant.currency, v_price)::decision_result;
END
$$;

CREATE OR REPLACE FUNCTION decide_batches_one_by_one(p_batches jsonb) RETURNS SETOF flushed_decision
  LANGUAGE plpgsql SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_item    jsonb;
  v_ordinal integer;
  v_result  decision_result;
BEGIN
  FOR v_item, v_ordinal IN SELECT value, ordinality FROM jsonb_array_elements(p_batches)
                                                    WITH ORDINALITY LOOP
    BEGIN
      v_result := decide_batch(
        v_item->>'tenant_id', v_item->>'batch_id', v_item->>'campaign_id',
        v_item->>'template_name', v_item->>'category',
        ARRAY(SELECT jsonb_array_elements_text(v_item->'recipients')),
        ARRAY(SELECT (jsonb_array_elements_text(v_item->'unit_prices_micros'))::bigint),
        v_item->>'currency', v_item->>'policy', (v_item->>'overdraft_limit_micros')::bigint,
        (v_item->>'rate_card_id')::bigint, (v_item->>'warning_micros')::bigint,
        (v_item->>'critical_micros')::bigint, (v_item->>'notify_interval_ms')::integer,
        (v_item->>'attempt')::bigint, (v_item->>'decided_at')::timestamptz);
      RETURN NEXT ROW(v_ordinal, v_result.decision, v_result.reason, v_result.charged_micros,
                      v_result.balance_after_micros, v_result.recipients_allowed,
                      v_result.replayed, v_result.currency, v_result.price_micros, NULL::text);
    EXCEPTION WHEN OTHERS THEN  -- not a statement timeout: that cancels the whole flush
      RETURN NEXT ROW(v_ordinal, 'block'::text, 'internal_error'::text, 0::bigint, NULL::bigint,
                      0, false, NULL::text, NULL::numeric, SQLSTATE || ': ' || SQLERRM);
    END;
  END LOOP;
END
$$;

-- The together way (012) with attempts, the outage policy and voided batches (those go one by one).
CREATE OR REPLACE FUNCTION decide_batches_together(p_batches jsonb, p_locked text[])
  RETURNS flushed_decision[]
  LANGUAGE plpgsql SET search_path = creditgate, pg_temp
AS $$
DECLARE
  b           record;
  v_results   flushed_decision[] := '{}';
  v_tenant    text;       -- the tenant of the batches being judged (they come grouped by tenant)
  v_balance   bigint;     -- its running balance
  v_charged   boolean := false;
  v_judged    record;
  v_reason    text;
  v_decision  text;
  v_floor     bigint;
  v_charge    bigint;
  v_allowed   integer;
  v_after     bigint;
  v_shortfall numeric;
  -- What to write, gathered in the loop and written by one statement per table at the end; the
  -- ordinals keep arrival order in the identity columns.
  v_debits    ledger_entry[] := '{}';
  v_batches   batch[] := '{}';
  v_refusals  batch_refusal[] := '{}';
  d_ordinal   integer[] := '{}';
  r_ordinal   integer[] := '{}';
  t_tenant    text[] := '{}';
  t_balance   bigint[] := '{}';
  a_tenant    text[] := '{}';    -- replays whose attempt joins the batch's answered attempts
  a_batch     text[] := '{}';
  a_attempt   bigint[] := '{}';
BEGIN
  FOR b IN
    WITH input AS (
      SELECT e.ordinal, x.*
        FROM jsonb_array_elements(p_batches) WITH ORDINALITY AS e(item, ordinal),
             jsonb_to_record(e.item) AS x(
               tenant_id text, batch_id text, campaign_id text, template_name text,
               category text, recipients text[], unit_prices_micros bigint[], currency text,
               policy text, overdraft_limit_micros bigint, rate_card_id bigint,
               warning_micros bigint, critical_micros bigint, notify_interval_ms integer,
               attempt bigint, decided_at timestamptz)
    )
    SELECT i.*, i.ordinal::integer AS position,
           (SELECT sum(p) FROM unnest(i.unit_prices_micros) p) AS price,
           -- a batch check_batch_arguments would refuse goes one by one
           coalesce(i.tenant_id IS NOT NULL AND i.currency IS NOT NULL
                    AND array_ndims(i.recipients) = 1 AND array_ndims(i.unit_prices_micros) = 1
                    AND arguments.problem IS NULL, false) AS valid,
           count(*) OVER (PARTITION BY i.tenant_id, i.batch_id) AS copies,
           t.tenant_id IS NOT NULL AS known, t.balance_micros AS balance,
           t.currency AS tenant_currency,
           o.batch_id IS NOT NULL AS seen_before, o.voided_at IS NOT NULL AS voided,
           (o.campaign_id = i.campaign_id AND o.template_name = i.template_name
            AND o.category = i.category AND o.recipients = i.recipients) AS same_content,
           o.decision AS seen_decision, o.reason AS seen_reason,
           o.charged_micros AS seen_charged, o.balance_after_micros AS seen_balance_after,
           o.recipients_allowed AS seen_allowed,
           i.attempt IS NOT NULL AND i.attempt = ANY (o.answered_attempts) AS attempt_answered
      FROM input i
     CROSS JOIN LATERAL batch_arguments_problem(i.batch_id, i.campaign_id, i.template_name,
                                                i.category, i.recipients, i.unit_prices_micros,
                                                i.policy, i.overdraft_limit_micros) arguments(problem)
      LEFT JOIN tenant t ON t.tenant_id = i.tenant_id AND t.tenant_id = ANY (p_locked)
      LEFT JOIN batch o ON o.tenant_id = i.tenant_id AND o.batch_id = i.batch_id
     ORDER BY i.tenant_id, i.ordinal
  LOOP
    IF NOT b.valid OR b.copies > 1 OR b.voided THEN
      RAISE EXCEPTION 'decide_batches_together: batch % goes one by one (%)', b.position,
        CASE WHEN NOT b.valid THEN 'its arguments are refused'
             WHEN b.voided THEN 'its batch id was voided'
             ELSE 'its batch id comes twice' END
        USING ERRCODE = 'CG001';
    END IF;
    IF b.tenant_id IS DISTINCT FROM v_tenant THEN
      IF v_charged THEN
        t_tenant := array_append(t_tenant, v_tenant);
        t_balance := array_append(t_balance, v_balance);
      END IF;
      v_tenant := b.tenant_id;
      v_balance := b.balance;
      v_charged := false;
    END IF;

    IF NOT b.known THEN
      v_results := array_append(v_results, ROW(b.position, 'block', 'unknown_tenant', 0, NULL, 0,
                                               false, NULL, b.price, NULL)::flushed_decision);
      CONTINUE;
    END IF;

    v_reason := NULL;
    v_shortfall := 0;
    IF b.seen_before THEN
      IF b.same_content THEN
        IF b.attempt IS NOT NULL AND NOT b.attempt_answered THEN
          a_tenant := array_append(a_tenant, b.tenant_id);
          a_batch := array_append(a_batch, b.batch_id);
          a_attempt := array_append(a_attempt, b.attempt);
        END IF;
        v_results := array_append(v_results, ROW(b.position, b.seen_decision, b.seen_reason,
                                                 b.seen_charged, b.seen_balance_after,
                                                 b.seen_allowed, NOT b.attempt_answered,
                                                 b.tenant_currency, b.price,
                                                 NULL)::flushed_decision);
        CONTINUE;
      END IF;
      v_reason := 'batch_conflict';
    ELSIF b.tenant_currency <> b.currency THEN
      v_reason := 'currency_mismatch';
    ELSE
      -- judge(), inline for a batch the balance covers; judge() itself for every other case.
      v_floor := CASE WHEN b.policy = 'flag' THEN -b.overdraft_limit_micros ELSE 0 END;
      IF b.price = 0 AND b.policy <> 'outage' THEN
        v_reason := 'ok';
        v_floor := least(v_floor, v_balance);
        v_charge := 0;
        v_allowed := cardinality(b.recipients);
      ELSIF v_balance - b.price >= 0 AND b.policy <> 'outage' THEN
        v_reason := 'ok';
        v_charge := b.price;
        v_allowed := cardinality(b.recipients);
      ELSE
        v_judged := judge(v_balance, b.unit_prices_micros, b.policy, b.overdraft_limit_micros);
        v_reason := v_judged.reason;
        v_floor := v_judged.floor_micros;
        v_charge := v_judged.charge;
        v_allowed := v_judged.allowed;
      END IF;
      v_shortfall := greatest(b.price - (v_balance - v_floor), 0);
    END IF;

    v_decision := decision_of(v_reason);
    IF v_decision = 'block' THEN
      r_ordinal := array_append(r_ordinal, b.position);
      v_refusals := array_append(v_refusals, ROW(b.tenant_id, NULL, b.batch_id, b.campaign_id,
          b.template_name, b.category, cardinality(b.recipients), v_reason, b.policy, b.price,
          v_balance, v_shortfall, now())::batch_refusal);
      IF v_reason IN ('insufficient_credit', 'overdraft_limit_exceeded') THEN
        PERFORM emit_paced(b.tenant_id, 'insufficient_credit', 'insufficient_credit',
                           jsonb_build_object('batch_id', b.batch_id, 'decision', 'block',
                                              'reason', v_reason, 'price_micros', b.price,
                                              'balance_micros', v_balance,
                                              'shortfall_micros', v_shortfall,
                                              'currency', b.tenant_currency),
                           b.notify_interval_ms);
      END IF;
      v_results := array_append(v_results, ROW(b.position, 'block', v_reason, 0, v_balance, 0,
                                               false, b.tenant_currency, b.price,
                                               NULL)::flushed_decision);
      CONTINUE;
    END IF;

    v_after := v_balance - v_charge;
    v_balance := v_after;
    v_charged := true;
    d_ordinal := array_append(d_ordinal, b.position);
    v_debits := array_append(v_debits, ROW(b.tenant_id, NULL, 'debit', -v_charge, v_after,
                                           v_floor, b.batch_id, NULL, NULL, NULL,
                                           now(), 0)::ledger_entry);
    v_batches := array_append(v_batches, ROW(b.tenant_id, b.batch_id, b.campaign_id,
        b.template_name, b.category, b.recipients, b.unit_prices_micros, b.rate_card_id,
        v_decision, v_reason, b.policy, v_allowed, v_charge, v_after, coalesce(b.decided_at, now()),
        array_remove(ARRAY[b.attempt], NULL), 0, NULL)::batch);

    -- Sent on credit the tenant does not have: flagged by policy, or sent during an outage.
    IF v_reason = 'overdraft' OR (v_reason = 'ledger_unavailable' AND v_after < 0) THEN
      PERFORM emit_paced(b.tenant_id, 'insufficient_credit', 'insufficient_credit',
                         jsonb_build_object('batch_id', b.batch_id, 'decision', v_decision,
                                            'reason', v_reason, 'price_micros', b.price,
                                            'balance_micros', v_after,
                                            'shortfall_micros', -least(v_after, 0),
                                            'currency', b.tenant_currency),
                         b.notify_interval_ms);
    END IF;
    -- note_balance_fall does nothing at or above every threshold: skip the call there.
    IF v_charge > 0 AND v_after < greatest(b.warning_micros, b.critical_micros, 1) THEN
      PERFORM note_balance_fall(b.tenant_id, b.tenant_currency, v_after, b.warning_micros,
                                b.critical_micros, b.notify_interval_ms);
    END IF;
    v_results := array_append(v_results, ROW(b.position, v_decision, v_reason, v_charge, v_after,
                                             v_allowed, false, b.tenant_currency, b.price,
                                             NULL)::flushed_decision);
  END LOOP;
  IF v_charged THEN
    t_tenant := array_append(t_tenant, v_tenant);
    t_balance := array_append(t_balance, v_balance);
  END IF;

  UPDATE tenant t SET balance_micros = u.balance
    FROM unnest(t_tenant, t_balance) AS u(tenant_id, balance)
   WHERE t.tenant_id = u.tenant_id;
  -- In arrival order, so entry and refusal ids follow the order the batches came in.
  INSERT INTO ledger_entry (tenant_id, kind, amount_micros, balance_after_micros, floor_micros,
                            batch_id)
  SELECT (e).tenant_id, (e).kind, (e).amount_micros, (e).balance_after_micros, (e).floor_micros,
         (e).batch_id
    FROM (SELECT unnest(d_ordinal) AS ordinal, unnest(v_debits) AS e) d ORDER BY d.ordinal;
  INSERT INTO batch SELECT * FROM unnest(v_batches);
  INSERT INTO batch_refusal (tenant_id, batch_id, campaign_id, template_name, category,
                             recipient_count, reason, policy, price_micros, balance_micros,
                             shortfall_micros)
  SELECT (r).tenant_id, (r).batch_id, (r).campaign_id, (r).template_name, (r).category,
         (r).recipient_count, (r).reason, (r).policy, (r).price_micros, (r).balance_micros,
         (r).shortfall_micros
    FROM (SELECT unnest(r_ordinal) AS ordinal, unnest(v_refusals) AS r) d ORDER BY d.ordinal;
  UPDATE batch o SET answered_attempts = o.answered_attempts || u.attempt
    FROM unnest(a_tenant, a_batch, a_attempt) AS u(tenant_id, batch_id, attempt)
   WHERE o.tenant_id = u.tenant_id AND o.batch_id = u.batch_id;
  RETURN v_results;
END
$$;

-- quote_batch as in 004, except that a voided batch is no longer "seen": its id is free.
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
  v_judged := judge(v_tenant.balance_micros, p_unit_prices_micros, p_policy,
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

-- settle_outcomes as in 004, except that a voided batch is unknown: it was never sent.
CREATE OR REPLACE FUNCTION settle_outcomes(p_tenant_id text, p_batch_id text, p_recipients text[],
                                           p_delivered boolean[])
  RETURNS settlement_result
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_tenant   tenant%ROWTYPE;
  v_batch    batch%ROWTYPE;
  v_refunded integer;
  v_amount   bigint;
  v_already  integer;
  v_unknown  integer;
  v_after    bigint;
BEGIN
  IF coalesce(cardinality(p_recipients), 0) <> coalesce(cardinality(p_delivered), 0)
     OR array_position(p_recipients, NULL) IS NOT NULL
     OR array_position(p_delivered, NULL) IS NOT NULL THEN
    RAISE EXCEPTION 'settle_outcomes: recipients and outcomes must pair up, without NULLs'
      USING ERRCODE = '22023';
  END IF;

  SELECT * INTO v_tenant FROM tenant WHERE tenant_id = p_tenant_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN ROW('unknown_tenant', 0, 0, 0, 0, NULL, NULL)::settlement_result;
  END IF;
  SELECT * INTO v_batch FROM batch
   WHERE tenant_id = p_tenant_id AND batch_id = p_batch_id AND voided_at IS NULL;
  IF NOT FOUND THEN
    RETURN ROW('unknown_batch', 0, 0, 0, 0, v_tenant.balance_micros,
               v_tenant.currency)::settlement_result;
  END IF;

  WITH input AS (  -- within one report, the first outcome per recipient counts
    SELECT DISTINCT ON (r) r AS recipient, d AS delivered
      FROM unnest(p_recipients, p_delivered) WITH ORDINALITY AS u(r, d, i)
     ORDER BY r, i
  ), sent AS (     -- a partial batch sent only its first recipients_allowed
    SELECT r AS recipient, p AS price
      FROM unnest(v_batch.recipients, v_batch.unit_prices_micros) WITH ORDINALITY AS s(r, p, i)
     WHERE i <= v_batch.recipients_allowed
  ), fresh AS (
    INSERT INTO recipient_outcome (tenant_id, batch_id, recipient, delivered)
    SELECT p_tenant_id, p_batch_id, input.recipient, input.delivered
      FROM input JOIN sent USING (recipient)
    ON CONFLICT DO NOTHING
    RETURNING recipient, delivered
  ), refund AS (
    INSERT INTO ledger_entry (tenant_id, kind, amount_micros, balance_after_micros, batch_id,
                              recipient)
    SELECT p_tenant_id, 'refund', sent.price,
           v_tenant.balance_micros + sum(sent.price) OVER (ORDER BY sent.recipient),
           p_batch_id, sent.recipient
      FROM fresh JOIN sent USING (recipient)
     WHERE NOT fresh.delivered AND sent.price > 0
    RETURNING amount_micros
  )
  SELECT (SELECT count(*) FROM refund),
         (SELECT coalesce(sum(amount_micros), 0) FROM refund),
         (SELECT count(*) FROM input JOIN sent USING (recipient)) - (SELECT count(*) FROM fresh),
         (SELECT count(*) FROM input WHERE recipient NOT IN (SELECT recipient FROM sent))
    INTO v_refunded, v_amount, v_already, v_unknown;

  UPDATE tenant SET balance_micros = balance_micros + v_amount
   WHERE tenant_id = p_tenant_id
  RETURNING balance_micros INTO v_after;
  IF v_amount > 0 THEN
    PERFORM note_balance_rise(p_tenant_id, v_tenant.currency, v_after);
  END IF;

  RETURN ROW('ok', v_refunded, v_amount, v_already, v_unknown, v_after,
             v_tenant.currency)::settlement_result;
END
$$;

-- A plugin lost the answer of decide() attempt p_attempt for this batch. Idempotent.
CREATE FUNCTION note_doubt(p_tenant_id text, p_batch_id text, p_attempt bigint) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
BEGIN
  IF p_tenant_id IS NULL OR p_batch_id IS NULL OR p_attempt IS NULL THEN
    RAISE EXCEPTION 'note_doubt: tenant, batch and attempt are required' USING ERRCODE = '22023';
  END IF;
  INSERT INTO decision_doubt (tenant_id, batch_id, attempt) VALUES (p_tenant_id, p_batch_id, p_attempt)
  ON CONFLICT DO NOTHING;
END
$$;

CREATE TYPE doubt_resolution AS (
  tenant_id     text,
  batch_id      text,
  resolution    text,    -- voided | kept (a host got the verdict, or outcomes came) | not_recorded
  voided_micros bigint,  -- given back (0 unless voided)
  currency      text
);

-- Resolves the doubts the ledger has known of for p_grace_ms: a batch whose every answered attempt
-- is doubted was never told to any host, so its debit is voided; otherwise it stays. Any plugin
-- instance may call this at any time; tenants are locked in one order, and a doubt is resolved once.
CREATE FUNCTION void_doubtful_batches(p_grace_ms integer, p_limit integer)
  RETURNS SETOF doubt_resolution
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  d            record;
  v_tenant     tenant%ROWTYPE;
  v_batch      batch%ROWTYPE;
  v_resolution text;
  v_voided     bigint;
  v_after      bigint;
BEGIN
  IF p_grace_ms IS NULL OR p_grace_ms < 0 OR p_limit IS NULL OR p_limit < 1 THEN
    RAISE EXCEPTION 'void_doubtful_batches: grace >= 0 and limit >= 1' USING ERRCODE = '22023';
  END IF;
  FOR d IN
    SELECT DISTINCT q.tenant_id, q.batch_id FROM decision_doubt q
     WHERE q.resolved_at IS NULL
       AND q.noted_at <= now() - make_interval(secs => p_grace_ms / 1000.0)
     ORDER BY q.tenant_id, q.batch_id
     LIMIT p_limit
  LOOP
    SELECT * INTO v_tenant FROM tenant WHERE tenant_id = d.tenant_id FOR UPDATE;
    -- Another instance may have resolved them while we waited for the lock.
    CONTINUE WHEN NOT EXISTS (SELECT FROM decision_doubt q WHERE q.tenant_id = d.tenant_id
                                 AND q.batch_id = d.batch_id AND q.resolved_at IS NULL);
    v_voided := 0;
    SELECT * INTO v_batch FROM batch b WHERE b.tenant_id = d.tenant_id AND b.batch_id = d.batch_id;
    IF NOT FOUND OR v_batch.voided_at IS NOT NULL THEN
      v_resolution := 'not_recorded';  -- the lost attempt never debited (or was voided already)
    ELSIF EXISTS (SELECT FROM recipient_outcome r
                   WHERE r.tenant_id = d.tenant_id AND r.batch_id = d.batch_id)
       OR cardinality(v_batch.answered_attempts) = 0
       OR EXISTS (SELECT FROM unnest(v_batch.answered_attempts) a(attempt)
                   WHERE NOT EXISTS (SELECT FROM decision_doubt q
                                      WHERE q.tenant_id = d.tenant_id AND q.batch_id = d.batch_id
                                        AND q.attempt = a.attempt)) THEN
      v_resolution := 'kept';  -- outcomes came, or some call got the verdict (or we cannot know)
    ELSE
      UPDATE tenant SET balance_micros = balance_micros + v_batch.charged_micros
       WHERE tenant_id = d.tenant_id
      RETURNING balance_micros INTO v_after;
      INSERT INTO ledger_entry (tenant_id, kind, amount_micros, balance_after_micros, batch_id,
                                batch_generation, note)
      VALUES (d.tenant_id, 'void', v_batch.charged_micros, v_after, d.batch_id,
              v_batch.generation, 'its decision stayed in doubt and no retry got the verdict');
      UPDATE batch SET voided_at = now()
       WHERE tenant_id = d.tenant_id AND batch_id = d.batch_id;
      IF v_batch.charged_micros > 0 THEN
        PERFORM note_balance_rise(d.tenant_id, v_tenant.currency, v_after);
      END IF;
      v_resolution := 'voided';
      v_voided := v_batch.charged_micros;
    END IF;
    UPDATE decision_doubt q SET resolved_at = now(), resolution = v_resolution
     WHERE q.tenant_id = d.tenant_id AND q.batch_id = d.batch_id AND q.resolved_at IS NULL;
    RETURN NEXT ROW(d.tenant_id, d.batch_id, v_resolution, v_voided,
                    v_tenant.currency)::doubt_resolution;
  END LOOP;
END
$$;

REVOKE ALL ON decision_doubt FROM PUBLIC;
GRANT SELECT ON decision_doubt TO creditgate_admin;
REVOKE EXECUTE ON FUNCTION
  decide_batch(text, text, text, text, text, text[], bigint[], text, text, bigint, bigint, bigint,
               bigint, integer, bigint, timestamptz),
  note_doubt(text, text, bigint), void_doubtful_batches(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
  decide_batch(text, text, text, text, text, text[], bigint[], text, text, bigint, bigint, bigint,
               bigint, integer, bigint, timestamptz),
  note_doubt(text, text, bigint), void_doubtful_batches(integer, integer)
TO creditgate_plugin;
