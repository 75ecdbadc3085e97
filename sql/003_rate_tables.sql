-- WhatsApp pricing reference data: markets, dated calling-code prefixes, dated rate cards per
-- currency. Meta maps a number to a market by its calling code and area prefix, and both the mapping
-- and the rates change on announced dates, so all of it is dated data, never code.
SET LOCAL ROLE creditgate_owner;
SET LOCAL search_path = creditgate;

CREATE TABLE market (
  market text PRIMARY KEY CHECK (length(market) BETWEEN 1 AND 47)  -- Meta's name, e.g. 'Rest of Africa'
);
-- The catch-all for numbers no prefix matches.
INSERT INTO market VALUES ('Other');

CREATE TABLE market_prefix (
  prefix     text NOT NULL CHECK (prefix ~ '^[1-9][0-9]{0,14}$'),  -- E.164 digits: calling code [+ area]
  market     text NOT NULL REFERENCES market,
  valid_from date NOT NULL,
  valid_to   date,                                                 -- exclusive; NULL: still valid
  PRIMARY KEY (prefix, valid_from),
  CHECK (valid_to IS NULL OR valid_to > valid_from)
);

CREATE TABLE rate_card (
  card_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  currency       text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  effective_from date NOT NULL,
  source         text NOT NULL DEFAULT '',
  imported_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (currency, effective_from)
);

CREATE TABLE rate (
  card_id     bigint NOT NULL REFERENCES rate_card,
  market      text NOT NULL REFERENCES market,
  category    text NOT NULL CHECK (category IN ('marketing', 'utility', 'authentication',
                                                'authentication_international', 'service')),
  rate_micros bigint CHECK (rate_micros >= 0),  -- NULL: Meta lists no rate ("n/a"); never priced as 0
  PRIMARY KEY (card_id, market, category)
);

-- Plugins poll this number and rebuild their in-memory snapshot when it moves.
CREATE TABLE rate_data_version (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version   bigint NOT NULL
);
INSERT INTO rate_data_version VALUES (true, 1);

CREATE FUNCTION bump_rate_data_version() RETURNS trigger LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = creditgate, pg_temp AS $$
BEGIN
  UPDATE rate_data_version SET version = version + 1;
  RETURN NULL;
END $$;
CREATE TRIGGER market_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON market
  FOR EACH STATEMENT EXECUTE FUNCTION bump_rate_data_version();
CREATE TRIGGER market_prefix_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON market_prefix
  FOR EACH STATEMENT EXECUTE FUNCTION bump_rate_data_version();
CREATE TRIGGER rate_card_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rate_card
  FOR EACH STATEMENT EXECUTE FUNCTION bump_rate_data_version();
CREATE TRIGGER rate_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rate
  FOR EACH STATEMENT EXECUTE FUNCTION bump_rate_data_version();
