-- Users of the billing portal (creditgate-server's web pages, issue 14): people, each with an
-- email, a role and an Argon2id password hash (server/auth/password.hpp), never the password.
-- creditctl user add, reset and disable keep them; the portal's own login and sessions come with
-- the portal. A role is `admin` (every tenant) or `tenant:<tenant id>` (that tenant's pages only).
--
-- Emails are kept lowercased, so that Ops@Acme.example and ops@acme.example are one user; a user
-- is never deleted (disabled instead), so an email once used keeps its history.

SET LOCAL ROLE creditgate_owner;
SET LOCAL search_path = creditgate;

-- The email rule, in one place for the CHECK and the functions: one '@', no spaces or control
-- characters, a dot in the domain, lowercase, at most 254 characters (RFC 5321's path limit).
CREATE FUNCTION is_portal_email(p_email text) RETURNS boolean
  LANGUAGE sql IMMUTABLE SET search_path = pg_catalog
AS $$
  SELECT p_email IS NOT NULL AND length(p_email) <= 254 AND p_email = lower(p_email)
     AND p_email ~ '^[^@[:space:][:cntrl:]]{1,64}@[^@[:space:][:cntrl:]]+\.[^@[:space:][:cntrl:]]+$'
$$;

CREATE TABLE portal_user (
  email           text PRIMARY KEY CHECK (is_portal_email(email)),
  role            text NOT NULL CHECK (role = 'admin' OR role ~ '^tenant:[!-~]{1,64}$'),
  password_hash   text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  created_at      timestamptz NOT NULL DEFAULT now(),
  password_set_at timestamptz NOT NULL DEFAULT now(),
  disabled_at     timestamptz
);

-- Each argument is checked with a message naming it, as add_api_key does (sql/017).
CREATE FUNCTION add_portal_user(p_email text, p_role text, p_password_hash text)
  RETURNS timestamptz
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_email text := lower(p_email);
  v_created_at timestamptz;
BEGIN
  IF NOT is_portal_email(v_email) THEN
    RAISE EXCEPTION 'email % is not an address like name@example.com (at most 254 characters)',
      quote_nullable(left(p_email, 80)) USING ERRCODE = '22023';
  END IF;
  IF p_role IS NULL OR NOT (p_role = 'admin' OR p_role ~ '^tenant:[!-~]{1,64}$') THEN
    RAISE EXCEPTION 'role % must be admin or tenant:<tenant id>', quote_nullable(p_role)
      USING ERRCODE = '22023';
  END IF;
  IF p_password_hash IS NULL OR p_password_hash NOT LIKE '$argon2id$%' THEN
    RAISE EXCEPTION 'password_hash must be an Argon2id hash ($argon2id$...)' USING ERRCODE = '22023';
  END IF;
  IF p_role LIKE 'tenant:%' AND NOT EXISTS (SELECT FROM tenant WHERE tenant_id = substr(p_role, 8))
  THEN
    RAISE EXCEPTION 'role %: unknown tenant %', p_role, quote_literal(substr(p_role, 8))
      USING ERRCODE = 'P0002';
  END IF;
  INSERT INTO portal_user (email, role, password_hash) VALUES (v_email, p_role, p_password_hash)
  ON CONFLICT (email) DO NOTHING
  RETURNING created_at INTO v_created_at;
  IF v_created_at IS NULL THEN
    RAISE EXCEPTION 'a portal user % already exists (creditctl user reset gives a new password)',
      v_email USING ERRCODE = '23505';
  END IF;
  RETURN v_created_at;
END
$$;

-- A new password for a user; true when the user exists. A disabled user stays disabled.
CREATE FUNCTION reset_portal_password(p_email text, p_password_hash text) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
BEGIN
  IF p_password_hash IS NULL OR p_password_hash NOT LIKE '$argon2id$%' THEN
    RAISE EXCEPTION 'password_hash must be an Argon2id hash ($argon2id$...)' USING ERRCODE = '22023';
  END IF;
  UPDATE portal_user SET password_hash = p_password_hash, password_set_at = now()
   WHERE email = lower(p_email);
  RETURN FOUND;
END
$$;

-- true: the user is disabled now (by this call or an earlier one, whose time stays); false: no
-- such user.
CREATE FUNCTION disable_portal_user(p_email text) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
BEGIN
  UPDATE portal_user SET disabled_at = now() WHERE email = lower(p_email) AND disabled_at IS NULL;
  RETURN FOUND OR EXISTS (SELECT FROM portal_user WHERE email = lower(p_email));
END
$$;

REVOKE ALL ON portal_user FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION is_portal_email(text), add_portal_user(text, text, text),
  reset_portal_password(text, text), disable_portal_user(text) FROM PUBLIC;
-- Admins list users (creditctl user list): every column but the hash, which no admin task needs.
GRANT SELECT (email, role, created_at, password_set_at, disabled_at) ON portal_user
  TO creditgate_admin;
GRANT EXECUTE ON FUNCTION add_portal_user(text, text, text), reset_portal_password(text, text),
  disable_portal_user(text) TO creditgate_admin;
