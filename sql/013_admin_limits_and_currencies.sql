-- Issue 11, items 13 and 14: limits on top-ups, and the ISO 4217 currencies a tenant may be created
-- in. Both live here, not in creditctl, so every admin's creditctl (and any other client of the admin
-- functions) obeys the same rules.
SET LOCAL ROLE creditgate_owner;
SET LOCAL search_path = creditgate;

-- micro-units as an exact decimal with 6 decimals: 250000000 -> '250.000000'. Multiplying by
-- 0.000001 is exact (numeric's product keeps both scales); dividing by 1000000 is not for large
-- values (numeric division rounds to about 16 significant digits).
CREATE FUNCTION decimal_text(p_micros numeric) RETURNS text LANGUAGE sql IMMUTABLE
  SET search_path = creditgate, pg_temp
AS $$ SELECT (p_micros * 0.000001)::text $$;

-- The active ISO 4217 currencies (circulating ones only: no funds, precious metals, bond-market
-- units, SDR or testing codes), from data/iso4217_currencies_2025.csv (see data/README.md); the
-- rows below are generated from that file, and tests/pg/currency_pgtest.cpp checks that they equal
-- it. minor_units is what the billing portal will display; at most 6, so micro-units hold every
-- minor unit exactly.
--
-- tenant.currency gets no foreign key to this table: tenants created before this migration may hold
-- a code that is not here (they keep working), a code ISO withdraws later must stay valid for the
-- tenants that have it, and a foreign key would be re-checked on the tenant row every decision
-- updates. add_tenant() checks new tenants instead.
CREATE TABLE currency (
  code        text PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
  minor_units smallint NOT NULL CHECK (minor_units BETWEEN 0 AND 6),
  name        text NOT NULL CHECK (name <> '')
);

INSERT INTO currency (code, minor_units, name) VALUES
  ('AED', 2, 'UAE Dirham'),
  ('AFN', 2, 'Afghani'),
  ('ALL', 2, 'Lek'),
  ('AMD', 2, 'Armenian Dram'),
  ('AOA', 2, 'Kwanza'),
  ('ARS', 2, 'Argentine Peso'),
  ('AUD', 2, 'Australian Dollar'),
  ('AWG', 2, 'Aruban Florin'),
  ('AZN', 2, 'Azerbaijan Manat'),
  ('BAM', 2, 'Convertible Mark'),
  ('BBD', 2, 'Barbados Dollar'),
  ('BDT', 2, 'Taka'),
  ('BGN', 2, 'Bulgarian Lev'),
  ('BHD', 3, 'Bahraini Dinar'),
  ('BIF', 0, 'Burundi Franc'),
  ('BMD', 2, 'Bermudian Dollar'),
  ('BND', 2, 'Brunei Dollar'),
  ('BOB', 2, 'Boliviano'),
  ('BRL', 2, 'Brazilian Real'),
  ('BSD', 2, 'Bahamian Dollar'),
  ('BTN', 2, 'Ngultrum'),
  ('BWP', 2, 'Pula'),
  ('BYN', 2, 'Belarusian Ruble'),
  ('BZD', 2, 'Belize Dollar'),
  ('CAD', 2, 'Canadian Dollar'),
  ('CDF', 2, 'Congolese Franc'),
  ('CHF', 2, 'Swiss Franc'),
  ('CLP', 0, 'Chilean Peso'),
  ('CNY', 2, 'Yuan Renminbi'),
  ('COP', 2, 'Colombian Peso'),
  ('CRC', 2, 'Costa Rican Colon'),
  ('CUC', 2, 'Peso Convertible'),
  ('CUP', 2, 'Cuban Peso'),
  ('CVE', 2, 'Cabo Verde Escudo'),
  ('CZK', 2, 'Czech Koruna'),
  ('DJF', 0, 'Djibouti Franc'),
  ('DKK', 2, 'Danish Krone'),
  ('DOP', 2, 'Dominican Peso'),
  ('DZD', 2, 'Algerian Dinar'),
  ('EGP', 2, 'Egyptian Pound'),
  ('ERN', 2, 'Nakfa'),
  ('ETB', 2, 'Ethiopian Birr'),
  ('EUR', 2, 'Euro'),
  ('FJD', 2, 'Fiji Dollar'),
  ('FKP', 2, 'Falkland Islands Pound'),
  ('GBP', 2, 'Pound Sterling'),
  ('GEL', 2, 'Lari'),
  ('GHS', 2, 'Ghana Cedi'),
  ('GIP', 2, 'Gibraltar Pound'),
  ('GMD', 2, 'Dalasi'),
  ('GNF', 0, 'Guinean Franc'),
  ('GTQ', 2, 'Quetzal'),
  ('GYD', 2, 'Guyana Dollar'),
  ('HKD', 2, 'Hong Kong Dollar'),
  ('HNL', 2, 'Lempira'),
  ('HTG', 2, 'Gourde'),
  ('HUF', 2, 'Forint'),
  ('IDR', 2, 'Rupiah'),
  ('ILS', 2, 'New Israeli Sheqel'),
  ('INR', 2, 'Indian Rupee'),
  ('IQD', 3, 'Iraqi Dinar'),
  ('IRR', 2, 'Iranian Rial'),
  ('ISK', 0, 'Iceland Krona'),
  ('JMD', 2, 'Jamaican Dollar'),
  ('JOD', 3, 'Jordanian Dinar'),
  ('JPY', 0, 'Yen'),
  ('KES', 2, 'Kenyan Shilling'),
  ('KGS', 2, 'Som'),
  ('KHR', 2, 'Riel'),
  ('KMF', 0, 'Comorian Franc'),
  ('KPW', 2, 'North Korean Won'),
  ('KRW', 0, 'Won'),
  ('KWD', 3, 'Kuwaiti Dinar'),
  ('KYD', 2, 'Cayman Islands Dollar'),
  ('KZT', 2, 'Tenge'),
  ('LAK', 2, 'Lao Kip'),
  ('LBP', 2, 'Lebanese Pound'),
  ('LKR', 2, 'Sri Lanka Rupee'),
  ('LRD', 2, 'Liberian Dollar'),
  ('LSL', 2, 'Loti'),
  ('LYD', 3, 'Libyan Dinar'),
  ('MAD', 2, 'Moroccan Dirham'),
  ('MDL', 2, 'Moldovan Leu'),
  ('MGA', 2, 'Malagasy Ariary'),
  ('MKD', 2, 'Denar'),
  ('MMK', 2, 'Kyat'),
  ('MNT', 2, 'Tugrik'),
  ('MOP', 2, 'Pataca'),
  ('MRU', 2, 'Ouguiya'),
  ('MUR', 2, 'Mauritius Rupee'),
  ('MVR', 2, 'Rufiyaa'),
  ('MWK', 2, 'Malawi Kwacha'),
  ('MXN', 2, 'Mexican Peso'),
  ('MYR', 2, 'Malaysian Ringgit'),
  ('MZN', 2, 'Mozambique Metical'),
  ('NAD', 2, 'Namibia Dollar'),
  ('NGN', 2, 'Naira'),
  ('NIO', 2, 'Cordoba Oro'),
  ('NOK', 2, 'Norwegian Krone'),
  ('NPR', 2, 'Nepalese Rupee'),
  ('NZD', 2, 'New Zealand Dollar'),
  ('OMR', 3, 'Rial Omani'),
  ('PAB', 2, 'Balboa'),
  ('PEN', 2, 'Sol'),
  ('PGK', 2, 'Kina'),
  ('PHP', 2, 'Philippine Peso'),
  ('PKR', 2, 'Pakistan Rupee'),
  ('PLN', 2, 'Zloty'),
  ('PYG', 0, 'Guarani'),
  ('QAR', 2, 'Qatari Rial'),
  ('RON', 2, 'Romanian Leu'),
  ('RSD', 2, 'Serbian Dinar'),
  ('RUB', 2, 'Russian Ruble'),
  ('RWF', 0, 'Rwanda Franc'),
  ('SAR', 2, 'Saudi Riyal'),
  ('SBD', 2, 'Solomon Islands Dollar'),
  ('SCR', 2, 'Seychelles Rupee'),
  ('SDG', 2, 'Sudanese Pound'),
  ('SEK', 2, 'Swedish Krona'),
  ('SGD', 2, 'Singapore Dollar'),
  ('SHP', 2, 'Saint Helena Pound'),
  ('SLE', 2, 'Leone'),
  ('SOS', 2, 'Somali Shilling'),
  ('SRD', 2, 'Surinam Dollar'),
  ('SSP', 2, 'South Sudanese Pound'),
  ('STN', 2, 'Dobra'),
  ('SVC', 2, 'El Salvador Colon'),
  ('SYP', 2, 'Syrian Pound'),
  ('SZL', 2, 'Lilangeni'),
  ('THB', 2, 'Baht'),
  ('TJS', 2, 'Somoni'),
  ('TMT', 2, 'Turkmenistan New Manat'),
  ('TND', 3, 'Tunisian Dinar'),
  ('TOP', 2, 'Pa’anga'),
  ('TRY', 2, 'Turkish Lira'),
  ('TTD', 2, 'Trinidad and Tobago Dollar'),
  ('TWD', 2, 'New Taiwan Dollar'),
  ('TZS', 2, 'Tanzanian Shilling'),
  ('UAH', 2, 'Hryvnia'),
  ('UGX', 0, 'Uganda Shilling'),
  ('USD', 2, 'US Dollar'),
  ('UYU', 2, 'Peso Uruguayo'),
  ('UZS', 2, 'Uzbekistan Sum'),
  ('VED', 2, 'Bolívar Soberano'),
  ('VES', 2, 'Bolívar Soberano'),
  ('VND', 0, 'Dong'),
  ('VUV', 0, 'Vatu'),
  ('WST', 2, 'Tala'),
  ('XAF', 0, 'CFA Franc BEAC'),
  ('XCD', 2, 'East Caribbean Dollar'),
  ('XCG', 2, 'Caribbean Guilder'),
  ('XOF', 0, 'CFA Franc BCEAO'),
  ('XPF', 0, 'CFP Franc'),
  ('YER', 2, 'Yemeni Rial'),
  ('ZAR', 2, 'Rand'),
  ('ZMW', 2, 'Zambian Kwacha'),
  ('ZWG', 2, 'Zimbabwe Gold');

-- The limits on top-ups, in micro-units of each tenant's own currency: one row. A top-up above
-- max_topup_micros, or one that would take a balance above max_balance_micros, is refused (SQLSTATE
-- CGLIM) with both amounts named: a typo such as 9000000000000 no longer reaches a balance.
--
-- max_balance_micros is at most 2^53 - 1 = 9007199254740991: every integer up to 2^53 is exact in a
-- double, and balances leave the database as JSON numbers (notification payloads' balance_micros)
-- and as float64 metric samples, which a JavaScript or jq reader, or Prometheus, holds as doubles.
-- The defaults, 1 000 000 000 units per top-up and 9 000 000 000 units of balance, stay below that
-- in every currency, and leave int64 arithmetic on balances far from overflow.
CREATE TABLE topup_limits (
  only_row           boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  max_topup_micros   bigint NOT NULL,
  max_balance_micros bigint NOT NULL,
  changed_at         timestamptz NOT NULL DEFAULT now(),
  changed_by         text NOT NULL DEFAULT session_user,  -- the login, not the function's owner
  CONSTRAINT topup_limits_are_sane CHECK (
    max_topup_micros > 0 AND max_topup_micros <= max_balance_micros
    AND max_balance_micros <= 9007199254740991)
);
INSERT INTO topup_limits (max_topup_micros, max_balance_micros)
VALUES (1000000000000000, 9000000000000000);

-- Changes either limit or both (NULL keeps one as it is). Refused with SQLSTATE 22023 and a message
-- naming the values: a limit of 0 or less, a balance limit above 2^53 - 1 micro-units, or a top-up
-- limit above the balance limit (a top-up that large could never be applied). The table's CHECK
-- says the same; these checks are here for the messages.
CREATE FUNCTION set_topup_limits(p_max_topup_micros bigint, p_max_balance_micros bigint)
  RETURNS topup_limits
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_limits topup_limits%ROWTYPE;
BEGIN
  SELECT * INTO v_limits FROM topup_limits FOR UPDATE;
  v_limits.max_topup_micros := coalesce(p_max_topup_micros, v_limits.max_topup_micros);
  v_limits.max_balance_micros := coalesce(p_max_balance_micros, v_limits.max_balance_micros);
  IF v_limits.max_topup_micros <= 0 OR v_limits.max_balance_micros <= 0 THEN
    RAISE EXCEPTION 'top-up limits must be more than 0, got % for one top-up and % for the balance',
      decimal_text(v_limits.max_topup_micros), decimal_text(v_limits.max_balance_micros)
      USING ERRCODE = '22023';
  END IF;
  IF v_limits.max_balance_micros > 9007199254740991 THEN
    RAISE EXCEPTION 'the balance limit, %, cannot be above 9007199254.740991 (2^53 - 1 micro-units, '
      'the largest a JSON reader holds exactly)', decimal_text(v_limits.max_balance_micros)
      USING ERRCODE = '22023';
  END IF;
  IF v_limits.max_topup_micros > v_limits.max_balance_micros THEN
    RAISE EXCEPTION 'the limit for one top-up, %, cannot be above the balance limit, %',
      decimal_text(v_limits.max_topup_micros), decimal_text(v_limits.max_balance_micros)
      USING ERRCODE = '22023';
  END IF;
  UPDATE topup_limits
     SET max_topup_micros = v_limits.max_topup_micros,
         max_balance_micros = v_limits.max_balance_micros,
         changed_at = now(), changed_by = session_user
  RETURNING * INTO v_limits;
  RETURN v_limits;
END
$$;

-- As in 005, plus: an unknown currency is refused (SQLSTATE CGCUR). A tenant created before the
-- check, with a code not in the list, still answers 'exists' when added again with its own code.
CREATE OR REPLACE FUNCTION add_tenant(p_tenant_id text, p_currency text, p_contact text)
  RETURNS text
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_existing tenant%ROWTYPE;
BEGIN
  IF NOT EXISTS (SELECT FROM currency WHERE code = p_currency)
     AND NOT EXISTS (SELECT FROM tenant WHERE tenant_id = p_tenant_id AND currency = p_currency) THEN
    RAISE EXCEPTION 'currency % is not an active ISO 4217 currency code', quote_nullable(p_currency)
      USING ERRCODE = 'CGCUR';
  END IF;
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

-- As in 005, plus the limits, and a reused reference names both amounts in the tenant's currency.
-- The order: a retry of an applied top-up replays whatever the limits are now; only new credit is
-- held to them. The balance is compared as numeric before anything is added, so no amount that fits
-- the bigint argument (up to 9223372036854.775807) can overflow.
CREATE OR REPLACE FUNCTION topup(p_tenant_id text, p_amount_micros bigint, p_reference text,
                                 p_note text)
  RETURNS topup_result
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_tenant tenant%ROWTYPE;
  v_entry  ledger_entry%ROWTYPE;
  v_limits topup_limits%ROWTYPE;
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
    RAISE EXCEPTION 'reference % was already used for tenant % with % %; this top-up is % %',
      p_reference, p_tenant_id, decimal_text(v_entry.amount_micros), v_tenant.currency,
      decimal_text(p_amount_micros), v_tenant.currency USING ERRCODE = '23505';
  END IF;

  SELECT * INTO v_limits FROM topup_limits;
  IF NOT FOUND THEN  -- only the owner could have deleted it: refuse rather than apply no limit
    RAISE EXCEPTION 'creditgate.topup_limits has no row' USING ERRCODE = '55000';
  END IF;
  IF p_amount_micros > v_limits.max_topup_micros THEN
    RAISE EXCEPTION 'top-up % % exceeds the limit for one top-up, % % (creditctl limits)',
      decimal_text(p_amount_micros), v_tenant.currency,
      decimal_text(v_limits.max_topup_micros), v_tenant.currency USING ERRCODE = 'CGLIM';
  END IF;
  IF v_tenant.balance_micros::numeric + p_amount_micros > v_limits.max_balance_micros THEN
    RAISE EXCEPTION 'top-up % % would take the balance of % from % % to % %, above the balance '
      'limit of % % (creditctl limits)',
      decimal_text(p_amount_micros), v_tenant.currency, p_tenant_id,
      decimal_text(v_tenant.balance_micros), v_tenant.currency,
      decimal_text(v_tenant.balance_micros::numeric + p_amount_micros), v_tenant.currency,
      decimal_text(v_limits.max_balance_micros), v_tenant.currency USING ERRCODE = 'CGLIM';
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

-- Admins read both tables and change the limits only through set_topup_limits; the plugin's role
-- gets nothing here. add_tenant and topup keep the grants of 006 (CREATE OR REPLACE keeps them).
REVOKE ALL ON currency, topup_limits FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION decimal_text(numeric), set_topup_limits(bigint, bigint) FROM PUBLIC;
GRANT SELECT ON currency, topup_limits TO creditgate_admin;
GRANT EXECUTE ON FUNCTION set_topup_limits(bigint, bigint) TO creditgate_admin;
