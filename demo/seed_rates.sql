-- Demo reference data, run with psql from the repository root as the database owner:
--   the 2025 market mapping from data/ (Meta's published market list), and a small EUR and USD
--   rate card. The rates are ILLUSTRATIVE: EUR India, North America and United Kingdom, and the
--   USD default ('*', Other's rate), are the sample list rates in data/README.md; the others are
--   made up for the demo. Real billing imports Meta's own rate-card files.
\set ON_ERROR_STOP on
BEGIN;
CREATE TEMP TABLE staged_market (market text) ON COMMIT DROP;
CREATE TEMP TABLE staged_prefix (prefix text, market text) ON COMMIT DROP;
\copy staged_market FROM 'data/markets_2025.csv' WITH (FORMAT csv, HEADER true)
\copy staged_prefix FROM 'data/market_prefixes_2025.csv' WITH (FORMAT csv, HEADER true)
INSERT INTO creditgate.market SELECT market FROM staged_market ON CONFLICT DO NOTHING;
INSERT INTO creditgate.market_prefix (prefix, market, valid_from)
  SELECT prefix, market, DATE '2025-07-01' FROM staged_prefix ON CONFLICT DO NOTHING;

INSERT INTO creditgate.rate_card (currency, effective_from, source) VALUES
  ('EUR', '2025-07-01', 'creditgate demo (illustrative)'),
  ('USD', '2025-07-01', 'creditgate demo (illustrative)')
ON CONFLICT DO NOTHING;

-- Rates in micro-units per delivered message: marketing, utility, authentication,
-- authentication_international (NULL = Meta lists none), service (free).
CREATE TEMP TABLE demo_rate (currency text, market text, marketing bigint, utility bigint,
                             authentication bigint, authentication_international bigint)
  ON COMMIT DROP;
INSERT INTO demo_rate VALUES
  ('EUR', '*',              60400,  7700,  7700, NULL),
  ('EUR', 'India',           9900,  1200,  1200, 25200),
  ('EUR', 'North America',  20700,  2800,  2800, NULL),
  ('EUR', 'United Kingdom', 52600, 18200, 18200, NULL),
  ('EUR', 'Germany',       113100, 45600, 63600, NULL),
  ('EUR', 'Brazil',         58000,  6300, 28900, NULL),
  ('USD', '*',              60400,  7700,  7700, NULL),
  ('USD', 'India',          10700,  1400,  1400, 28000),
  ('USD', 'North America',  25000,  3400,  3400, NULL),
  ('USD', 'United Kingdom', 52900, 22000, 22000, NULL),
  ('USD', 'Germany',       136500, 55000, 76800, NULL),
  ('USD', 'Brazil',         62500,  6800, 31500, NULL);

INSERT INTO creditgate.rate (card_id, market, category, rate_micros)
SELECT c.card_id, m.market, k.category,
       CASE k.category WHEN 'marketing' THEN r.marketing WHEN 'utility' THEN r.utility
                       WHEN 'authentication' THEN r.authentication
                       WHEN 'authentication_international' THEN r.authentication_international
                       ELSE 0 END
  FROM creditgate.rate_card c
  JOIN creditgate.market m ON true
  CROSS JOIN (VALUES ('marketing'), ('utility'), ('authentication'),
                     ('authentication_international'), ('service')) AS k(category)
  JOIN LATERAL (SELECT * FROM demo_rate d
                 WHERE d.currency = c.currency AND d.market IN (m.market, '*')
                 ORDER BY d.market = '*' LIMIT 1) r ON true
 WHERE c.source = 'creditgate demo (illustrative)'
ON CONFLICT DO NOTHING;
COMMIT;
