-- Group commit: many decisions in ONE transaction, so a hot tenant's durable commits are shared
-- instead of paid one by one (synchronous_commit stays on). Each batch keeps its own verdict, in
-- arrival order, with exactly decide_batch's semantics; one failing batch never fails its
-- neighbours (each runs in its own subtransaction).
SET LOCAL ROLE creditgate_owner;
SET LOCAL search_path = creditgate;

CREATE TYPE flushed_decision AS (
  ordinal              integer,  -- position in p_batches, from 1
  decision             text,
  reason               text,
  charged_micros       bigint,
  balance_after_micros bigint,
  recipients_allowed   integer,
  replayed             boolean,
  currency             text,
  price_micros         numeric,
  error                text      -- non-NULL: this batch failed (and moved nothing); the others stand
);

-- p_batches: a JSON array of objects with decide_batch's arguments: tenant_id, batch_id,
-- campaign_id, template_name, category, recipients (array of text), unit_prices_micros (array of
-- integers), currency, policy, overdraft_limit_micros, rate_card_id, warning_micros,
-- critical_micros (null = off), notify_interval_ms.
CREATE FUNCTION decide_batches(p_batches jsonb) RETURNS SETOF flushed_decision
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_item    jsonb;
  v_ordinal integer;
  v_result  decision_result;
BEGIN
  IF jsonb_typeof(p_batches) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'decide_batches: expected a JSON array' USING ERRCODE = '22023';
  END IF;
  -- Every tenant of the flush is locked up front in one fixed order, so two flushes (of any
  -- instances) that share tenants wait for each other instead of deadlocking.
  PERFORM 1 FROM tenant
   WHERE tenant_id IN (SELECT DISTINCT b->>'tenant_id' FROM jsonb_array_elements(p_batches) b)
   ORDER BY tenant_id
     FOR UPDATE;

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
        (v_item->>'critical_micros')::bigint, (v_item->>'notify_interval_ms')::integer);
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

REVOKE EXECUTE ON FUNCTION decide_batches(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION decide_batches(jsonb) TO creditgate_plugin;
