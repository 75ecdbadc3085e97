-- What pricing needs to know about a tenant besides its currency: whether Meta's
-- authentication-international rate applies to it, and its home market (international means a
-- recipient market other than this one). And a view of the recipients a partial batch held back.
SET LOCAL ROLE creditgate_owner;
SET LOCAL search_path = creditgate;

ALTER TABLE tenant
  ADD COLUMN auth_international_eligible boolean NOT NULL DEFAULT false,
  ADD COLUMN home_market text REFERENCES market;

-- For the plugin: everything pricing needs about one tenant; no row for an unknown tenant.
CREATE FUNCTION tenant_profile(p_tenant_id text, OUT currency text,
                               OUT auth_international_eligible boolean, OUT home_market text)
  RETURNS SETOF record
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
  SELECT currency, auth_international_eligible, home_market FROM tenant WHERE tenant_id = p_tenant_id
$$;

-- For admins: marks a tenant eligible (or not) for authentication-international rates.
CREATE FUNCTION set_tenant_pricing(p_tenant_id text, p_auth_international_eligible boolean,
                                   p_home_market text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
BEGIN
  IF p_auth_international_eligible AND p_home_market IS NULL THEN
    RAISE EXCEPTION 'tenant %: authentication-international needs a home market', p_tenant_id
      USING ERRCODE = '22023';
  END IF;
  UPDATE tenant SET auth_international_eligible = p_auth_international_eligible,
                    home_market = p_home_market
   WHERE tenant_id = p_tenant_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown tenant %', p_tenant_id USING ERRCODE = 'P0002';
  END IF;
END
$$;

-- The recipients a partial batch did not send (held for lack of credit), in batch order.
CREATE VIEW held_recipient AS
  SELECT b.tenant_id, b.batch_id, r.recipient, r.position
    FROM batch b
    CROSS JOIN LATERAL unnest(b.recipients) WITH ORDINALITY AS r(recipient, position)
   WHERE r.position > b.recipients_allowed;

REVOKE EXECUTE ON FUNCTION tenant_profile(text), set_tenant_pricing(text, boolean, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_profile(text) TO creditgate_plugin, creditgate_admin;
GRANT EXECUTE ON FUNCTION set_tenant_pricing(text, boolean, text) TO creditgate_admin;
GRANT SELECT ON held_recipient TO creditgate_admin;
