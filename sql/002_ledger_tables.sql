-- Tenants, the append-only ledger, and the record of every batch decision.
-- Every table leads with tenant_id and every money function touches one tenant's rows, so the
-- schema distributes by tenant (e.g. Citus) without redesign.
SET LOCAL ROLE creditgate_owner;
SET LOCAL search_path = creditgate;

CREATE TABLE tenant (
  tenant_id      text PRIMARY KEY CHECK (tenant_id ~ '^[[:graph:]]{1,64}$'),
  currency       text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),  -- ISO 4217; never changes
  balance_micros bigint NOT NULL DEFAULT 0,                      -- always == sum of its ledger
  contacts       text[] NOT NULL DEFAULT '{}',                   -- who is told about its credit
  created_at     timestamptz NOT NULL DEFAULT now()
);

-- A tenant's currency is fixed: every amount in its ledger is in that currency, and plugins cache it.
CREATE FUNCTION tenant_currency_is_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.currency <> OLD.currency THEN
    RAISE EXCEPTION 'tenant %: currency cannot change from % to %', OLD.tenant_id, OLD.currency,
      NEW.currency USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER tenant_currency_is_fixed BEFORE UPDATE OF currency ON tenant
  FOR EACH ROW EXECUTE FUNCTION tenant_currency_is_fixed();

-- A tenant is never deleted nor renamed: its ledger is the record of its money. This is also what
-- stands in for foreign keys from the three tables every decision writes (ledger_entry, batch,
-- batch_refusal): their rows are written only by the money functions (no role may write a table
-- directly, 006_privileges.sql), and each of those locks the tenant's row before it writes. A foreign key
-- would re-check that row once per inserted row (a trigger and a query each), about 40% of the
-- database's work per decision in a group-commit flush (docs/PERFORMANCE.md).
CREATE FUNCTION tenant_is_never_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'tenants are never deleted (% refused): their ledger is the record of their money',
    TG_OP USING ERRCODE = '42501';
END $$;
CREATE TRIGGER tenant_is_never_deleted BEFORE DELETE ON tenant
  FOR EACH ROW EXECUTE FUNCTION tenant_is_never_deleted();
CREATE TRIGGER tenant_is_never_truncated BEFORE TRUNCATE ON tenant
  FOR EACH STATEMENT EXECUTE FUNCTION tenant_is_never_deleted();
-- Nor renamed: its rows elsewhere name it by tenant_id.
CREATE FUNCTION tenant_id_is_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.tenant_id <> OLD.tenant_id THEN
    RAISE EXCEPTION 'tenant %: tenant_id cannot change (to %)', OLD.tenant_id, NEW.tenant_id
      USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER tenant_id_is_fixed BEFORE UPDATE OF tenant_id ON tenant
  FOR EACH ROW EXECUTE FUNCTION tenant_id_is_fixed();

-- The ledger is append-only: a correction is a new entry (kind adjustment), never an edit.
CREATE TABLE ledger_entry (
  tenant_id            text NOT NULL,           -- a tenant's (see tenant_is_never_deleted)
  entry_id             bigint GENERATED ALWAYS AS IDENTITY,
  kind                 text NOT NULL CHECK (kind IN ('topup', 'debit', 'refund', 'adjustment')),
  amount_micros        bigint NOT NULL,         -- signed: debits are <= 0
  balance_after_micros bigint NOT NULL,
  floor_micros         bigint,                  -- debit: the lowest balance the policy allowed then
  batch_id             text,
  recipient            text,
  reference            text,                    -- topup/adjustment: the admin's idempotency key
  note                 text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, entry_id),
  CONSTRAINT ledger_entry_shape CHECK (CASE kind
    WHEN 'topup' THEN amount_micros > 0 AND reference IS NOT NULL
    WHEN 'debit' THEN amount_micros <= 0 AND batch_id IS NOT NULL
    WHEN 'refund' THEN amount_micros > 0 AND batch_id IS NOT NULL AND recipient IS NOT NULL
    WHEN 'adjustment' THEN reference IS NOT NULL
  END),
  -- The floor backs the policy: no debit ever takes a balance below what was allowed at that moment.
  CONSTRAINT debit_respects_floor CHECK (
    kind <> 'debit' OR (floor_micros IS NOT NULL AND floor_micros <= 0
                        AND balance_after_micros >= floor_micros))
);
CREATE UNIQUE INDEX ledger_one_debit_per_batch ON ledger_entry (tenant_id, batch_id)
  WHERE kind = 'debit';
CREATE UNIQUE INDEX ledger_one_refund_per_recipient ON ledger_entry (tenant_id, batch_id, recipient)
  WHERE kind = 'refund';
CREATE UNIQUE INDEX ledger_one_entry_per_reference ON ledger_entry (tenant_id, reference)
  WHERE kind IN ('topup', 'adjustment');

CREATE FUNCTION ledger_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the ledger is append-only: % refused; record a correction as an adjustment', TG_OP
    USING ERRCODE = '42501';
END $$;
CREATE TRIGGER ledger_is_append_only BEFORE UPDATE OR DELETE ON ledger_entry
  FOR EACH ROW EXECUTE FUNCTION ledger_is_append_only();
CREATE TRIGGER ledger_is_never_truncated BEFORE TRUNCATE ON ledger_entry
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_is_append_only();

-- A batch that was allowed (fully, flagged or partially): it consumed its batch_id. The content is
-- kept so a retry can be recognised (same content: replay) or refused (different: batch_conflict),
-- and the unit prices so each undelivered recipient is refunded exactly what it was charged.
CREATE TABLE batch (
  tenant_id            text NOT NULL,           -- a tenant's (see tenant_is_never_deleted)
  batch_id             text NOT NULL,
  campaign_id          text NOT NULL,
  template_name        text NOT NULL,
  category             text NOT NULL,
  recipients           text[] NOT NULL,
  unit_prices_micros   bigint[] NOT NULL,
  rate_card_id         bigint,
  decision             text NOT NULL CHECK (decision IN ('allow', 'allow_flagged', 'allow_partial')),
  reason               text NOT NULL,
  policy               text NOT NULL,
  recipients_allowed   integer NOT NULL,
  charged_micros       bigint NOT NULL CHECK (charged_micros >= 0),
  balance_after_micros bigint NOT NULL,
  decided_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, batch_id),
  CHECK (cardinality(recipients) = cardinality(unit_prices_micros)),
  CHECK (recipients_allowed BETWEEN 1 AND cardinality(recipients))
);

-- A batch that was blocked by the ledger: recorded with its reason, but its batch_id stays free so
-- the gateway may send it again after a top-up. Any number of refusals per batch_id.
CREATE TABLE batch_refusal (
  tenant_id        text NOT NULL,               -- a tenant's (see tenant_is_never_deleted)
  refusal_id       bigint GENERATED ALWAYS AS IDENTITY,
  batch_id         text NOT NULL,
  campaign_id      text NOT NULL,
  template_name    text NOT NULL,
  category         text NOT NULL,
  recipient_count  integer NOT NULL,
  reason           text NOT NULL,
  policy           text NOT NULL,
  price_micros     numeric NOT NULL,   -- numeric: a refused price may not even fit in bigint
  balance_micros   bigint NOT NULL,
  shortfall_micros numeric NOT NULL,   -- how much more credit would have let it through
  refused_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, refusal_id)
);
CREATE INDEX batch_refusal_by_batch ON batch_refusal (tenant_id, batch_id);

-- The first terminal outcome per sent recipient; later reports for it change nothing.
CREATE TABLE recipient_outcome (
  tenant_id  text NOT NULL,
  batch_id   text NOT NULL,
  recipient  text NOT NULL,
  delivered  boolean NOT NULL,
  settled_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, batch_id, recipient),
  FOREIGN KEY (tenant_id, batch_id) REFERENCES batch
);
