-- Importing WhatsApp pricing reference data: a rate card per (currency, effective date) and the
-- dated market mapping. creditctl parses and checks Meta's files; these functions have the last
-- word: each import is one transaction, serialised with every other import, and idempotent, so a
-- file imported twice changes nothing, not even rate_data_version (plugins would rebuild for
-- nothing).
SET LOCAL ROLE creditgate_owner;
SET LOCAL search_path = creditgate;

-- Imports take this advisory lock (transaction-scoped) so two admins cannot interleave.
CREATE FUNCTION import_lock_key() RETURNS bigint LANGUAGE sql IMMUTABLE
  SET search_path = creditgate, pg_temp
AS $$ SELECT 7306086493437209716::bigint $$;  -- "ratesimp" as ASCII; any fixed key would do

-- micro-units as the exact decimal an admin wrote: 61800 -> '0.0618', NULL -> 'n/a'.
CREATE FUNCTION micros_text(p_micros bigint) RETURNS text LANGUAGE sql IMMUTABLE
  SET search_path = creditgate, pg_temp
AS $$ SELECT coalesce(trim_scale(p_micros::numeric / 1000000)::text, 'n/a') $$;

-- One rate card: parallel arrays, one element per (market, category) cell; a NULL rate is Meta's
-- "n/a" and is stored as NULL (never priced as 0). A card that exists with exactly these cells is
-- returned with created = false and nothing is written; with other cells it is refused, since
-- debits may already have been priced with it: a correction is a card with a new effective date.
CREATE FUNCTION import_rate_card(p_currency text, p_effective_from date, p_source text,
                                 p_markets text[], p_categories text[], p_rates bigint[],
                                 OUT card_id bigint, OUT created boolean)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_cells   integer := coalesce(cardinality(p_markets), 0);
  v_problem text;
  v_diff    record;
BEGIN
  IF p_currency IS NULL OR p_currency !~ '^[A-Z]{3}$' THEN
    RAISE EXCEPTION 'currency % is not 3 uppercase letters (ISO 4217)', coalesce(p_currency, 'NULL')
      USING ERRCODE = '22023';
  END IF;
  IF p_effective_from IS NULL THEN
    RAISE EXCEPTION 'a rate card needs an effective date' USING ERRCODE = '22023';
  END IF;
  IF v_cells = 0 OR v_cells <> coalesce(cardinality(p_categories), 0)
     OR v_cells <> coalesce(cardinality(p_rates), 0) THEN
    RAISE EXCEPTION 'markets, categories and rates must be non-empty arrays of one length '
                    '(got %, %, %)',
      v_cells, coalesce(cardinality(p_categories), 0), coalesce(cardinality(p_rates), 0)
      USING ERRCODE = '22023';
  END IF;

  SELECT string_agg(DISTINCT format('%L', c.category), ', ') INTO v_problem
    FROM unnest(p_categories) AS c(category)
   WHERE c.category IS NULL OR c.category NOT IN ('marketing', 'utility', 'authentication',
                                                  'authentication_international', 'service');
  IF v_problem IS NOT NULL THEN
    RAISE EXCEPTION 'unknown categories: %', v_problem USING ERRCODE = '22023';
  END IF;
  SELECT string_agg(d.market || ' ' || d.category, ', ') INTO v_problem
    FROM (SELECT u.market, u.category FROM unnest(p_markets, p_categories) AS u(market, category)
           GROUP BY 1, 2 HAVING count(*) > 1) d;
  IF v_problem IS NOT NULL THEN
    RAISE EXCEPTION 'cells given twice: %', v_problem USING ERRCODE = '22023';
  END IF;
  SELECT string_agg(r.rate::text, ', ') INTO v_problem
    FROM unnest(p_rates) AS r(rate) WHERE r.rate < 0;
  IF v_problem IS NOT NULL THEN
    RAISE EXCEPTION 'negative rates (micro-units): %', v_problem USING ERRCODE = '22023';
  END IF;
  SELECT string_agg(DISTINCT format('%L', u.market), ', ') INTO v_problem
    FROM unnest(p_markets) AS u(market)
   WHERE u.market IS NULL OR NOT EXISTS (SELECT FROM market m WHERE m.market = u.market);
  IF v_problem IS NOT NULL THEN
    RAISE EXCEPTION 'unknown markets: % (import the market mapping that names them first)',
      v_problem USING ERRCODE = '23503';
  END IF;

  PERFORM pg_advisory_xact_lock(import_lock_key());
  -- After the lock: a concurrent import of the same card has committed or not started.
  SELECT c.card_id INTO card_id FROM rate_card c
   WHERE c.currency = p_currency AND c.effective_from = p_effective_from;
  IF FOUND THEN
    SELECT coalesce(f.market, r.market) AS market, coalesce(f.category, r.category) AS category,
           f.market IS NOT NULL AS in_file, r.market IS NOT NULL AS in_card,
           f.rate AS file_rate, r.rate_micros AS card_rate
      INTO v_diff
      FROM (SELECT * FROM rate WHERE rate.card_id = import_rate_card.card_id) r
      FULL JOIN unnest(p_markets, p_categories, p_rates) AS f(market, category, rate)
        ON f.market = r.market AND f.category = r.category
     WHERE f.market IS NULL OR r.market IS NULL OR f.rate IS DISTINCT FROM r.rate_micros
     ORDER BY 1, 2
     LIMIT 1;
    IF NOT FOUND THEN
      created := false;
      RETURN;
    END IF;
    RAISE EXCEPTION '% rate card effective % already exists (card %) with other rates: %; a card '
                    'may have priced debits already, so a correction needs a new effective date',
      p_currency, p_effective_from, card_id,
      CASE WHEN NOT v_diff.in_file THEN format('%s %s is %s in the card but not in the file',
                                               v_diff.market, v_diff.category,
                                               micros_text(v_diff.card_rate))
           WHEN NOT v_diff.in_card THEN format('%s %s is %s in the file but not in the card',
                                               v_diff.market, v_diff.category,
                                               micros_text(v_diff.file_rate))
           ELSE format('%s %s is %s in the card, %s in the file', v_diff.market, v_diff.category,
                       micros_text(v_diff.card_rate), micros_text(v_diff.file_rate)) END
      USING ERRCODE = '23505';
  END IF;

  INSERT INTO rate_card (currency, effective_from, source)
  VALUES (p_currency, p_effective_from, coalesce(p_source, ''))
  RETURNING rate_card.card_id INTO card_id;
  INSERT INTO rate (card_id, market, category, rate_micros)
  SELECT import_rate_card.card_id, u.market, u.category, u.rate
    FROM unnest(p_markets, p_categories, p_rates) AS u(market, category, rate);
  created := true;
END
$$;

-- The market mapping in force from p_valid_from, as one whole file (prefix -> market):
--   an open row mapping a prefix of the file to the same market stays as it is (unchanged);
--   an open row mapping it elsewhere is closed at p_valid_from and the new row opened
--     (closed, added);
--   a prefix without an open row gets one (added);
--   an open row whose prefix is not in the file is closed at p_valid_from (closed).
-- p_new_markets are added to market first. Changes must come in date order: an open row that
-- would change but is valid from p_valid_from or later is refused.
CREATE FUNCTION import_market_mapping(p_valid_from date, p_prefixes text[], p_markets text[],
                                      p_new_markets text[],
                                      OUT added integer, OUT closed integer, OUT unchanged integer)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_rows    integer := coalesce(cardinality(p_prefixes), 0);
  v_problem text;
  v_row     record;
BEGIN
  IF p_valid_from IS NULL THEN
    RAISE EXCEPTION 'a market mapping needs the date it is valid from' USING ERRCODE = '22023';
  END IF;
  IF v_rows = 0 OR v_rows <> coalesce(cardinality(p_markets), 0) THEN
    RAISE EXCEPTION 'prefixes and markets must be non-empty arrays of one length (got %, %)',
      v_rows, coalesce(cardinality(p_markets), 0) USING ERRCODE = '22023';
  END IF;
  SELECT string_agg(format('%L', u.prefix), ', ') INTO v_problem
    FROM unnest(p_prefixes) AS u(prefix)
   WHERE u.prefix IS NULL OR u.prefix !~ '^[1-9][0-9]{0,14}$';
  IF v_problem IS NOT NULL THEN
    RAISE EXCEPTION 'prefixes must be 1 to 15 digits not starting with 0: %', v_problem
      USING ERRCODE = '22023';
  END IF;
  SELECT string_agg(d.prefix, ', ') INTO v_problem
    FROM (SELECT u.prefix FROM unnest(p_prefixes) AS u(prefix) GROUP BY 1 HAVING count(*) > 1) d;
  IF v_problem IS NOT NULL THEN
    RAISE EXCEPTION 'prefixes given twice: %', v_problem USING ERRCODE = '22023';
  END IF;

  PERFORM pg_advisory_xact_lock(import_lock_key());

  -- Only when something is missing: an empty INSERT would still bump rate_data_version.
  IF EXISTS (SELECT FROM unnest(p_new_markets) AS n(market)
              WHERE n.market IS NOT NULL
                AND NOT EXISTS (SELECT FROM market m WHERE m.market = n.market)) THEN
    INSERT INTO market (market)
    SELECT DISTINCT n.market FROM unnest(p_new_markets) AS n(market) WHERE n.market IS NOT NULL
    ON CONFLICT DO NOTHING;
  END IF;
  SELECT string_agg(DISTINCT format('%L', u.market), ', ') INTO v_problem
    FROM unnest(p_markets) AS u(market)
   WHERE u.market IS NULL OR NOT EXISTS (SELECT FROM market m WHERE m.market = u.market);
  IF v_problem IS NOT NULL THEN
    RAISE EXCEPTION 'unknown markets: %', v_problem USING ERRCODE = '23503';
  END IF;

  -- Out of order: the open row to change starts on or after the new date.
  SELECT o.prefix, o.market, o.valid_from, f.market AS new_market INTO v_row
    FROM market_prefix o
    LEFT JOIN unnest(p_prefixes, p_markets) AS f(prefix, market) USING (prefix)
   WHERE o.valid_to IS NULL AND o.market IS DISTINCT FROM f.market
     AND o.valid_from >= p_valid_from
   ORDER BY o.prefix LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'prefix % maps to % from %, so a mapping from % cannot %; import mapping '
                    'changes in date order, each from a later date', v_row.prefix, v_row.market,
      v_row.valid_from, p_valid_from,
      CASE WHEN v_row.new_market IS NULL THEN 'drop it' ELSE 'map it to ' || v_row.new_market END
      USING ERRCODE = '23505';
  END IF;
  -- A prefix to open whose (closed) history reaches past the new date.
  SELECT h.prefix, h.market, h.valid_from, h.valid_to INTO v_row
    FROM unnest(p_prefixes, p_markets) AS f(prefix, market) JOIN market_prefix h USING (prefix)
   WHERE h.valid_to > p_valid_from
     AND NOT EXISTS (SELECT FROM market_prefix o WHERE o.prefix = f.prefix AND o.valid_to IS NULL)
   ORDER BY h.prefix LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'prefix % mapped to % from % to %, so a mapping from % cannot open it; import '
                    'mapping changes in date order', v_row.prefix, v_row.market, v_row.valid_from,
      v_row.valid_to, p_valid_from USING ERRCODE = '23505';
  END IF;

  SELECT count(*) INTO unchanged
    FROM unnest(p_prefixes, p_markets) AS f(prefix, market)
    JOIN market_prefix o USING (prefix, market)
   WHERE o.valid_to IS NULL;
  IF EXISTS (SELECT FROM market_prefix o
               LEFT JOIN unnest(p_prefixes, p_markets) AS f(prefix, market) USING (prefix)
              WHERE o.valid_to IS NULL AND o.market IS DISTINCT FROM f.market) THEN
    UPDATE market_prefix o SET valid_to = p_valid_from
     WHERE o.valid_to IS NULL
       AND NOT EXISTS (SELECT FROM unnest(p_prefixes, p_markets) AS f(prefix, market)
                        WHERE f.prefix = o.prefix AND f.market = o.market);
    GET DIAGNOSTICS closed = ROW_COUNT;
  ELSE
    closed := 0;
  END IF;
  IF unchanged < v_rows THEN
    INSERT INTO market_prefix (prefix, market, valid_from)
    SELECT f.prefix, f.market, p_valid_from FROM unnest(p_prefixes, p_markets) AS f(prefix, market)
     WHERE NOT EXISTS (SELECT FROM market_prefix o
                        WHERE o.prefix = f.prefix AND o.valid_to IS NULL);
    GET DIAGNOSTICS added = ROW_COUNT;
  ELSE
    added := 0;
  END IF;
END
$$;

REVOKE EXECUTE ON FUNCTION
  import_lock_key(),
  micros_text(bigint),
  import_rate_card(text, date, text, text[], text[], bigint[]),
  import_market_mapping(date, text[], text[], text[])
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
  import_rate_card(text, date, text, text[], text[], bigint[]),
  import_market_mapping(date, text[], text[], text[]),
  quote_batch(text, text, text, text, text, text[], bigint[], text, text, bigint)
TO creditgate_admin;
