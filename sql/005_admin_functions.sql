-- What admins may change, each through one function (creditctl calls them with the admin role).
SET LOCAL ROLE creditgate_owner;
SET LOCAL search_path = creditgate;

-- Adds a tenant with a zero balance. Idempotent: adding the same tenant with the same currency again
-- changes nothing ('exists'); a different currency is refused, since a currency never changes.
CREATE FUNCTION add_tenant(p_tenant_id text, p_currency text, p_contact text) RETURNS text
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_existing tenant%ROWTYPE;
BEGIN
  INSERT INTO tenant (tenant_id, currency, contacts)
  VALUES (p_tenant_id, p_currency, array_remove(ARRAY[p_contact], NULL))
  ON CONFLICT (tenant_id) DO NOTHING;
  IF FOUND THEN
    RETURN 'created';
  END IF;
  SELECT * INTO v_existing FROM tenant WHERE tenant_id = p_tenant_id;
  IF v_existing.currency <> p_currency THEN
    RAISE EXCEPTION 'tenant % already exists with currency %', p_tenant_id, v_existing.currency
      USING ERRCODE = '23505';
  END IF;
  RETURN 'exists';
END
$$;

CREATE TYPE topup_result AS (
  entry_id             bigint,
  balance_after_micros bigint,
  replayed             boolean,  -- the reference was used before with this amount: nothing changed
  currency             text
);

-- Adds credit, idempotent by the admin's reference: the same reference and amount again change
-- nothing; the same reference with another amount is refused.
CREATE FUNCTION topup(p_tenant_id text, p_amount_micros bigint, p_reference text, p_note text)
  RETURNS topup_result
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_tenant tenant%ROWTYPE;
  v_entry  ledger_entry%ROWTYPE;
  v_after  bigint;
BEGIN
  IF p_amount_micros IS NULL OR p_amount_micros <= 0 THEN
    RAISE EXCEPTION 'top-up amount must be positive, got % micro-units', p_amount_micros
      USING ERRCODE = '22023';
  END IF;
  IF p_reference IS NULL OR length(p_reference) NOT BETWEEN 1 AND 128 THEN
    RAISE EXCEPTION 'top-up reference must be 1 to 128 characters' USING ERRCODE = '22023';
  END IF;
  SELECT * INTO v_tenant FROM tenant WHERE tenant_id = p_tenant_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown tenant %', p_tenant_id USING ERRCODE = 'P0002';
  END IF;
  SELECT * INTO v_entry FROM ledger_entry
   WHERE tenant_id = p_tenant_id AND reference = p_reference AND kind IN ('topup', 'adjustment');
  IF FOUND THEN
    IF v_entry.kind = 'topup' AND v_entry.amount_micros = p_amount_micros THEN
      RETURN ROW(v_entry.entry_id, v_tenant.balance_micros, true, v_tenant.currency)::topup_result;
    END IF;
    RAISE EXCEPTION 'reference % was already used for tenant % with amount % micro-units',
      p_reference, p_tenant_id, v_entry.amount_micros USING ERRCODE = '23505';
  END IF;

  UPDATE tenant SET balance_micros = balance_micros + p_amount_micros
   WHERE tenant_id = p_tenant_id
  RETURNING balance_micros INTO v_after;
  INSERT INTO ledger_entry (tenant_id, kind, amount_micros, balance_after_micros, reference, note)
  VALUES (p_tenant_id, 'topup', p_amount_micros, v_after, p_reference, p_note)
  RETURNING * INTO v_entry;
  PERFORM note_balance_rise(p_tenant_id, v_tenant.currency, v_after);
  RETURN ROW(v_entry.entry_id, v_after, false, v_tenant.currency)::topup_result;
END
$$;
