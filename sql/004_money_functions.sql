-- The money functions: each is ONE round trip for the plugin, runs with the owner's rights
-- (SECURITY DEFINER) and a fixed search_path, and locks the tenant's row first, so that concurrent
-- decisions, retries and settlements of one tenant serialise on that row and nowhere else.
SET LOCAL ROLE creditgate_owner;
SET LOCAL search_path = creditgate;

CREATE TYPE decision_result AS (
  decision             text,     -- allow | allow_flagged | allow_partial | block
  reason               text,     -- the host API's stable reason code
  charged_micros       bigint,
  balance_after_micros bigint,   -- NULL when the tenant is unknown
  recipients_allowed   integer,
  replayed             boolean,  -- true: the original verdict of this batch_id; no money moved now
  currency             text,
  price_micros         numeric   -- the price of the whole batch as submitted
);

-- The decision rule, in one place for decide_batch and quote_batch: what the policy makes of a
-- batch with these unit prices against this balance. Pure: reads and writes nothing.
--   reason     ok | overdraft | partial_credit | insufficient_credit | overdraft_limit_exceeded
--   allowed    how many of the first recipients may be sent (0 when refused)
--   charge     what they cost
--   floor      the lowest balance this decision may leave (backs the ledger's CHECK)
--   affordable how many of the first recipients the balance plus allowed overdraft covers
CREATE FUNCTION judge(p_balance bigint, p_unit_prices_micros bigint[], p_policy text,
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
  floor_micros := CASE WHEN p_policy = 'flag' THEN -p_overdraft_limit_micros ELSE 0 END;
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
  ELSIF p_policy = 'flag' AND p_balance - v_price >= floor_micros THEN
    reason := 'overdraft';
  ELSIF p_policy = 'partial' AND affordable > 0 THEN
    reason := 'partial_credit';
    allowed := affordable;
    charge := v_paid;
  ELSE
    reason := CASE WHEN p_policy = 'flag' THEN 'overdraft_limit_exceeded'
                   ELSE 'insufficient_credit' END;
    allowed := 0;
    charge := 0;
  END IF;
END
$$;

-- The argument checks shared by decide_batch, quote_batch and decide_batches (012): one row,
-- what is wrong with these arguments, or NULL when nothing is. The plugin validated all of this;
-- these keep a buggy or hostile caller from moving money. A set-returning SQL function without a
-- SET clause, so that the planner inlines it into decide_batches' query like a subquery: called
-- once per batch of a flush, it then costs no function call.
CREATE FUNCTION batch_arguments_problem(p_batch_id text, p_campaign_id text,
                                        p_template_name text, p_category text,
                                        p_recipients text[], p_unit_prices_micros bigint[],
                                        p_policy text, p_overdraft_limit_micros bigint)
  RETURNS SETOF text
  LANGUAGE sql IMMUTABLE ROWS 1  -- built-ins only: no search_path to pin
AS $$
  SELECT CASE
    WHEN coalesce(cardinality(p_recipients), 0) = 0
         OR cardinality(p_recipients) <> coalesce(cardinality(p_unit_prices_micros), 0) THEN
      format('batch: %s recipients but %s unit prices', coalesce(cardinality(p_recipients), 0),
             coalesce(cardinality(p_unit_prices_micros), 0))
    WHEN p_policy IS NULL OR p_policy NOT IN ('block', 'flag', 'partial') THEN
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

CREATE FUNCTION check_batch_arguments(p_batch_id text, p_campaign_id text, p_template_name text,
                                      p_category text, p_recipients text[],
                                      p_unit_prices_micros bigint[], p_policy text,
                                      p_overdraft_limit_micros bigint) RETURNS void
  LANGUAGE plpgsql IMMUTABLE SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_problem text := (SELECT problem
                       FROM batch_arguments_problem(p_batch_id, p_campaign_id, p_template_name,
                                                    p_category, p_recipients, p_unit_prices_micros,
                                                    p_policy, p_overdraft_limit_micros) problem);
BEGIN
  IF v_problem IS NOT NULL THEN
    RAISE EXCEPTION '%', v_problem USING ERRCODE = '22023';
  END IF;
END
$$;

-- Decides one batch: claims (tenant, batch_id), debits against the floor the policy allows, writes
-- the ledger, and records the batch; or records why it was refused. p_policy: block | flag | partial.
-- In the same transaction it queues the notifications (009_notifications.sql): insufficient credit
-- for a refused or flagged batch, and low balance when the debit crosses a threshold (NULL: off).
CREATE FUNCTION decide_batch(
    p_tenant_id text, p_batch_id text, p_campaign_id text, p_template_name text, p_category text,
    p_recipients text[], p_unit_prices_micros bigint[], p_currency text,
    p_policy text, p_overdraft_limit_micros bigint, p_rate_card_id bigint,
    p_warning_micros bigint, p_critical_micros bigint, p_notify_interval_ms integer)
  RETURNS decision_result
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_tenant   tenant%ROWTYPE;
  v_batch    batch%ROWTYPE;
  v_price    numeric := (SELECT sum(p) FROM unnest(p_unit_prices_micros) p);
  v_judged    record;
  v_shortfall numeric := 0;  -- how much more credit would have let a refused batch through
  v_reason   text;
  v_decision text;
  v_after    bigint;
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
  IF FOUND THEN
    IF v_batch.campaign_id = p_campaign_id AND v_batch.template_name = p_template_name
       AND v_batch.category = p_category AND v_batch.recipients = p_recipients THEN
      RETURN ROW(v_batch.decision, v_batch.reason, v_batch.charged_micros,
                 v_batch.balance_after_micros, v_batch.recipients_allowed, true, v_tenant.currency,
                 v_price)::decision_result;
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

  IF v_reason NOT IN ('ok', 'overdraft', 'partial_credit') THEN
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

  v_decision := CASE v_reason WHEN 'ok' THEN 'allow' WHEN 'overdraft' THEN 'allow_flagged'
                              ELSE 'allow_partial' END;
  UPDATE tenant SET balance_micros = balance_micros - v_judged.charge::bigint
   WHERE tenant_id = p_tenant_id
  RETURNING balance_micros INTO v_after;

  INSERT INTO ledger_entry (tenant_id, kind, amount_micros, balance_after_micros, floor_micros,
                            batch_id)
  VALUES (p_tenant_id, 'debit', -v_judged.charge::bigint, v_after, v_judged.floor_micros,
          p_batch_id);

  INSERT INTO batch (tenant_id, batch_id, campaign_id, template_name, category, recipients,
                     unit_prices_micros, rate_card_id, decision, reason, policy,
                     recipients_allowed, charged_micros, balance_after_micros)
  VALUES (p_tenant_id, p_batch_id, p_campaign_id, p_template_name, p_category, p_recipients,
          p_unit_prices_micros, p_rate_card_id, v_decision, v_reason, p_policy,
          v_judged.allowed, v_judged.charge::bigint, v_after);

  IF v_reason = 'overdraft' THEN  -- sent, but on credit the tenant does not have
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

CREATE TYPE quote_result AS (
  decision             text,     -- what decide_batch would answer now
  reason               text,
  balance_micros       bigint,   -- NULL when the tenant is unknown
  available_micros     bigint,   -- balance plus the overdraft the policy allows
  recipients_affordable integer,
  currency             text
);

-- What decide_batch would answer now, without locking or writing anything.
CREATE FUNCTION quote_batch(
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
  SELECT * INTO v_batch FROM batch WHERE tenant_id = p_tenant_id AND batch_id = p_batch_id;
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
  RETURN ROW(CASE v_judged.reason WHEN 'ok' THEN 'allow' WHEN 'overdraft' THEN 'allow_flagged'
                                  WHEN 'partial_credit' THEN 'allow_partial' ELSE 'block' END,
             v_judged.reason, v_tenant.balance_micros,
             v_tenant.balance_micros - v_judged.floor_micros, v_judged.affordable,
             v_tenant.currency)::quote_result;
END
$$;

CREATE TYPE settlement_result AS (
  status               text,     -- ok | unknown_tenant | unknown_batch
  refunded_recipients  integer,  -- newly refunded now
  refunded_micros      bigint,
  already_settled      integer,  -- outcomes for recipients settled before: ignored
  not_in_batch         integer,  -- outcomes for recipients that were not sent in this batch: ignored
  balance_after_micros bigint,
  currency             text
);

-- Settles terminal outcomes of a batch's sent recipients: the first outcome per recipient wins,
-- and each failed one is refunded exactly its unit price, once. Replays change nothing.
CREATE FUNCTION settle_outcomes(p_tenant_id text, p_batch_id text, p_recipients text[],
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
  SELECT * INTO v_batch FROM batch WHERE tenant_id = p_tenant_id AND batch_id = p_batch_id;
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

-- The tenant's currency (fixed for life, so plugins may cache it); NULL for an unknown tenant.
CREATE FUNCTION tenant_currency(p_tenant_id text) RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$ SELECT currency FROM tenant WHERE tenant_id = p_tenant_id $$;

-- For quote(): the balance now, read without locking; nothing is written.
CREATE FUNCTION tenant_balance(p_tenant_id text, OUT currency text, OUT balance_micros bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$ SELECT currency, balance_micros FROM tenant WHERE tenant_id = p_tenant_id $$;

-- Rate data for the plugin's snapshot, as in force on p_day.
CREATE FUNCTION rate_data_version() RETURNS bigint
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$ SELECT version FROM rate_data_version $$;

CREATE FUNCTION markets() RETURNS SETOF text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$ SELECT market FROM market ORDER BY market $$;

CREATE FUNCTION market_prefixes_at(p_day date, OUT prefix text, OUT market text) RETURNS SETOF record
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
  SELECT prefix, market FROM market_prefix
   WHERE valid_from <= p_day AND (valid_to IS NULL OR valid_to > p_day)
$$;

-- Per currency, the card with the latest effective date not after p_day.
CREATE FUNCTION rate_cards_at(p_day date, OUT card_id bigint, OUT currency text) RETURNS SETOF record
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
  SELECT DISTINCT ON (currency) card_id, currency FROM rate_card
   WHERE effective_from <= p_day
   ORDER BY currency, effective_from DESC
$$;

CREATE FUNCTION rates_at(p_day date, OUT card_id bigint, OUT market text, OUT category text,
                         OUT rate_micros bigint) RETURNS SETOF record
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
  SELECT r.card_id, r.market, r.category, r.rate_micros
    FROM rate r JOIN rate_cards_at(p_day) c USING (card_id)
$$;
