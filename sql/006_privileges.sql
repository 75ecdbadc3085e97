-- Least privilege. The plugin's role can call the money functions and nothing else: no table is
-- readable or writable by it, so a compromised gateway can only do what a decision may do.
SET LOCAL ROLE creditgate_owner;
SET LOCAL search_path = creditgate;

REVOKE ALL ON ALL TABLES IN SCHEMA creditgate FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA creditgate FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA creditgate FROM PUBLIC;

GRANT EXECUTE ON FUNCTION
  decide_batch(text, text, text, text, text, text[], bigint[], text, text, bigint, bigint, bigint,
               bigint, integer),
  quote_batch(text, text, text, text, text, text[], bigint[], text, text, bigint),
  settle_outcomes(text, text, text[], boolean[]),
  tenant_currency(text),
  tenant_balance(text),
  rate_data_version(),
  markets(),
  market_prefixes_at(date),
  rate_cards_at(date),
  rates_at(date)
TO creditgate_plugin;

-- Admins read everything (balances, ledgers, refused and flagged batches) and change money only
-- through the admin functions, which keep the ledger and the balances in step.
GRANT SELECT ON ALL TABLES IN SCHEMA creditgate TO creditgate_admin;
GRANT EXECUTE ON FUNCTION
  add_tenant(text, text, text),
  topup(text, bigint, text, text),
  tenant_currency(text),
  tenant_balance(text),
  rate_data_version(),
  markets(),
  market_prefixes_at(date),
  rate_cards_at(date),
  rates_at(date)
TO creditgate_admin;
