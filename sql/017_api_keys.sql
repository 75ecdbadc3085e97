-- API keys of creditgate-server, the HTTP billing API (server/auth/ reads them, creditctl apikey
-- makes, lists and revokes them). A key is cg_<key_id>_<secret>; the database keeps the key id, the
-- SHA-256 digest of the secret and the scope, never the secret: a copy of this table lets no one
-- call the API. The digest is unsalted on purpose: the secret is 256 random bits, so there is
-- nothing to guess (server/auth/api_key.hpp says more).
--
-- A new role, creditgate_server: the server's login for checking keys. It can execute
-- api_key_digest and nothing else, no table, no money function; the server decides and quotes
-- through the plugin with the plugin's own login.

-- Roles are cluster-wide: created only when missing (as in 001).
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'creditgate_server') THEN
    CREATE ROLE creditgate_server NOLOGIN;
  END IF;
END
$$;

SET LOCAL ROLE creditgate_owner;
SET LOCAL search_path = creditgate;

GRANT USAGE ON SCHEMA creditgate TO creditgate_server;

-- The scope's CHECK accepts exactly what the server's parseScope does (server/auth/scope.hpp): a
-- tenant id is 1 to 64 printable ASCII characters without spaces, [!-~], the rule of
-- plugin/base/tenant_id.hpp (the tenant table's [[:graph:]] would also pass non-ASCII letters).
CREATE TABLE api_key (
  key_id        text PRIMARY KEY CHECK (key_id ~ '^[a-z0-9]{12}$'),
  secret_sha256 bytea NOT NULL CHECK (length(secret_sha256) = 32),
  scope         text NOT NULL
                CHECK (scope IN ('gateway', 'admin') OR scope ~ '^tenant:[!-~]{1,64}$'),
  label         text CHECK (length(label) BETWEEN 1 AND 200 AND label !~ '[[:cntrl:]]'),
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz
);

-- Each argument is checked here too, with a message naming it, so that a caller other than
-- creditctl gets the same clear refusal rather than a CHECK constraint's name.
CREATE FUNCTION add_api_key(p_key_id text, p_secret_sha256 bytea, p_scope text, p_label text)
  RETURNS timestamptz
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_created_at timestamptz;
BEGIN
  IF p_key_id IS NULL OR p_key_id !~ '^[a-z0-9]{12}$' THEN
    RAISE EXCEPTION 'key id % must be 12 characters a-z or 0-9', quote_nullable(p_key_id)
      USING ERRCODE = '22023';
  END IF;
  IF p_secret_sha256 IS NULL OR length(p_secret_sha256) <> 32 THEN
    RAISE EXCEPTION 'secret_sha256 must be a SHA-256 digest of 32 bytes, got %',
      coalesce(length(p_secret_sha256) || ' bytes', 'NULL') USING ERRCODE = '22023';
  END IF;
  IF p_scope IS NULL OR NOT (p_scope IN ('gateway', 'admin') OR p_scope ~ '^tenant:[!-~]{1,64}$')
  THEN
    RAISE EXCEPTION 'scope % must be gateway, admin or tenant:<tenant id>', quote_nullable(p_scope)
      USING ERRCODE = '22023';
  END IF;
  IF p_label IS NOT NULL AND (length(p_label) NOT BETWEEN 1 AND 200 OR p_label ~ '[[:cntrl:]]')
  THEN
    RAISE EXCEPTION 'label % must be 1 to 200 characters without control characters',
      quote_literal(left(p_label, 60)) USING ERRCODE = '22023';
  END IF;
  -- A key for a tenant that does not exist would be refused by every balance read: refuse it now.
  IF p_scope LIKE 'tenant:%'
     AND NOT EXISTS (SELECT FROM tenant WHERE tenant_id = substr(p_scope, 8)) THEN
    RAISE EXCEPTION 'scope %: unknown tenant %', p_scope, quote_literal(substr(p_scope, 8))
      USING ERRCODE = 'P0002';
  END IF;
  IF EXISTS (SELECT FROM api_key WHERE key_id = p_key_id) THEN
    -- 36^12 ids: a collision means a broken random source, or a caller reusing an id.
    RAISE EXCEPTION 'key id % already exists', p_key_id USING ERRCODE = '23505';
  END IF;
  INSERT INTO api_key (key_id, secret_sha256, scope, label)
  VALUES (p_key_id, p_secret_sha256, p_scope, p_label)
  RETURNING created_at INTO v_created_at;
  RETURN v_created_at;
END
$$;

-- true: the key is revoked now (by this call or an earlier one, whose time stays); false: no such
-- key. A revoked key stays in the table, so its id is never issued again and list shows it.
CREATE FUNCTION revoke_api_key(p_key_id text) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
BEGIN
  UPDATE api_key SET revoked_at = now() WHERE key_id = p_key_id AND revoked_at IS NULL;
  RETURN FOUND OR EXISTS (SELECT FROM api_key WHERE key_id = p_key_id);
END
$$;

-- The server's one question: the digest and scope of a key that is not revoked; no row for an
-- unknown or revoked key (the server does not need to know which).
CREATE FUNCTION api_key_digest(p_key_id text, OUT secret_sha256 bytea, OUT scope text)
  RETURNS SETOF record
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
  SELECT k.secret_sha256, k.scope FROM api_key k WHERE k.key_id = p_key_id AND k.revoked_at IS NULL
$$;

REVOKE ALL ON api_key FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION add_api_key(text, bytea, text, text), revoke_api_key(text),
  api_key_digest(text) FROM PUBLIC;
-- Admins list keys (creditctl apikey list): every column but the digest, which no admin task needs.
GRANT SELECT (key_id, scope, label, created_at, revoked_at) ON api_key TO creditgate_admin;
GRANT EXECUTE ON FUNCTION add_api_key(text, bytea, text, text), revoke_api_key(text)
  TO creditgate_admin;
GRANT EXECUTE ON FUNCTION api_key_digest(text) TO creditgate_server;
