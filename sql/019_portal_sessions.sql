-- Sessions of the billing portal (issue 14). A session is a random opaque token in the browser's
-- cookie; the database keeps its SHA-256 digest only, so a copy of this table logs no one in.
-- Each session ends at the first of: logout, its idle expiry (renewed by each use), its absolute
-- expiry, the user disabled or given a new password (a trigger ends every session of the user).
--
-- A new role, creditgate_portal: creditgate-server's login for the portal. It can execute the
-- portal_* functions and nothing else, no table: each function takes the session's token digest
-- and finds the user (and so the tenant) from it, so no call can name another tenant into view.
-- Login is two calls, because the password is checked in the server (Argon2id,
-- server/auth/password.hpp), never sent to the database: portal_login_lookup gives the hash and
-- the recent failures (rate limiting), then portal_login_failed or portal_session_start.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'creditgate_portal') THEN
    CREATE ROLE creditgate_portal NOLOGIN;
  END IF;
END
$$;

SET LOCAL ROLE creditgate_owner;
SET LOCAL search_path = creditgate;

GRANT USAGE ON SCHEMA creditgate TO creditgate_portal;

CREATE TABLE portal_session (
  token_sha256        bytea PRIMARY KEY CHECK (length(token_sha256) = 32),
  email               text NOT NULL REFERENCES portal_user (email),
  created_at          timestamptz NOT NULL DEFAULT now(),
  last_seen_at        timestamptz NOT NULL DEFAULT now(),
  idle_expires_at     timestamptz NOT NULL,
  absolute_expires_at timestamptz NOT NULL,
  ended_at            timestamptz
);
CREATE INDEX portal_session_open_by_email ON portal_session (email) WHERE ended_at IS NULL;

-- Failed logins by email (lowercased, known or not: guessing at unknown addresses is limited too).
CREATE TABLE portal_login_failure (
  email     text NOT NULL CHECK (length(email) <= 254),
  failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX portal_login_failure_by_email ON portal_login_failure (email, failed_at);

-- A new password or a disabled user ends every open session of the user, whoever changed it.
CREATE FUNCTION end_sessions_of_changed_user() RETURNS trigger
  LANGUAGE plpgsql SET search_path = creditgate, pg_temp
AS $$
BEGIN
  UPDATE portal_session SET ended_at = now() WHERE email = NEW.email AND ended_at IS NULL;
  RETURN NEW;
END
$$;
CREATE TRIGGER portal_user_changed AFTER UPDATE OF password_hash, disabled_at ON portal_user
  FOR EACH ROW
  WHEN (OLD.password_hash IS DISTINCT FROM NEW.password_hash
        OR (OLD.disabled_at IS NULL AND NEW.disabled_at IS NOT NULL))
  EXECUTE FUNCTION end_sessions_of_changed_user();

CREATE FUNCTION check_token_digest(p_token_sha256 bytea) RETURNS void
  LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
  IF p_token_sha256 IS NULL OR length(p_token_sha256) <> 32 THEN
    RAISE EXCEPTION 'token_sha256 must be a SHA-256 digest of 32 bytes, got %',
      coalesce(length(p_token_sha256) || ' bytes', 'NULL') USING ERRCODE = '22023';
  END IF;
END
$$;

-- Login, step 1: one row, with the hash and role of an enabled user (NULL for an unknown or
-- disabled email: the server then checks the password against a dummy hash, so the time taken does
-- not tell), and how many logins failed for this email in the last p_window_seconds.
CREATE FUNCTION portal_login_lookup(p_email text, p_window_seconds integer,
                                    OUT password_hash text, OUT role text,
                                    OUT recent_failures integer)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
  SELECT u.password_hash, u.role,
         (SELECT count(*)::integer FROM portal_login_failure f
           WHERE f.email = lower(p_email)
             AND f.failed_at > now() - make_interval(secs => p_window_seconds))
    FROM (SELECT 1) one
    LEFT JOIN portal_user u ON u.email = lower(p_email) AND u.disabled_at IS NULL
$$;

-- Login, step 2 on a wrong password (or an unknown email). Failures older than a day go.
CREATE FUNCTION portal_login_failed(p_email text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
BEGIN
  DELETE FROM portal_login_failure WHERE failed_at < now() - interval '1 day';
  INSERT INTO portal_login_failure (email) VALUES (left(lower(p_email), 254));
END
$$;

-- Login, step 2 on the right password: a session for an enabled user (its role returned; no row if
-- the user was disabled meanwhile). The email's failures are forgotten.
CREATE FUNCTION portal_session_start(p_email text, p_token_sha256 bytea, p_idle_seconds integer,
                                     p_absolute_seconds integer, OUT role text)
  RETURNS SETOF text
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_role text;
BEGIN
  PERFORM check_token_digest(p_token_sha256);
  IF p_idle_seconds IS NULL OR p_absolute_seconds IS NULL OR p_idle_seconds < 1
     OR p_absolute_seconds < p_idle_seconds THEN
    RAISE EXCEPTION 'idle seconds % must be at least 1 and at most absolute seconds %',
      p_idle_seconds, p_absolute_seconds USING ERRCODE = '22023';
  END IF;
  SELECT u.role INTO v_role FROM portal_user u
   WHERE u.email = lower(p_email) AND u.disabled_at IS NULL FOR SHARE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  INSERT INTO portal_session (token_sha256, email, idle_expires_at, absolute_expires_at)
  VALUES (p_token_sha256, lower(p_email), now() + make_interval(secs => p_idle_seconds),
          now() + make_interval(secs => p_absolute_seconds));
  DELETE FROM portal_login_failure WHERE email = lower(p_email);
  role := v_role;
  RETURN NEXT;
END
$$;

-- Every request: the session's user and role while it is open (no row otherwise); each use moves
-- its idle expiry p_idle_seconds ahead, never past its absolute expiry.
CREATE FUNCTION portal_session_user(p_token_sha256 bytea, p_idle_seconds integer,
                                    OUT email text, OUT role text)
  RETURNS SETOF record
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
BEGIN
  PERFORM check_token_digest(p_token_sha256);
  RETURN QUERY
  UPDATE portal_session s
     SET last_seen_at = now(),
         idle_expires_at = least(now() + make_interval(secs => p_idle_seconds),
                                 s.absolute_expires_at)
    FROM portal_user u
   WHERE s.token_sha256 = p_token_sha256 AND s.ended_at IS NULL
     AND s.idle_expires_at > now() AND s.absolute_expires_at > now()
     AND u.email = s.email AND u.disabled_at IS NULL
  RETURNING s.email, u.role;
END
$$;

-- Logout: this session (false if it was not open).
CREATE FUNCTION portal_session_end(p_token_sha256 bytea) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
BEGIN
  PERFORM check_token_digest(p_token_sha256);
  UPDATE portal_session SET ended_at = now() WHERE token_sha256 = p_token_sha256 AND ended_at IS NULL;
  RETURN FOUND;
END
$$;

-- Logout everywhere: every open session of this session's user; how many ended (0 if the session
-- itself was not open: a stolen, expired token ends nothing).
CREATE FUNCTION portal_session_end_all(p_token_sha256 bytea) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_email text;
  v_ended integer;
BEGIN
  PERFORM check_token_digest(p_token_sha256);
  SELECT s.email INTO v_email FROM portal_session s
   WHERE s.token_sha256 = p_token_sha256 AND s.ended_at IS NULL
     AND s.idle_expires_at > now() AND s.absolute_expires_at > now();
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  UPDATE portal_session SET ended_at = now() WHERE email = v_email AND ended_at IS NULL;
  GET DIAGNOSTICS v_ended = ROW_COUNT;
  RETURN v_ended;
END
$$;

REVOKE ALL ON portal_session, portal_login_failure FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION end_sessions_of_changed_user(), check_token_digest(bytea),
  portal_login_lookup(text, integer), portal_login_failed(text),
  portal_session_start(text, bytea, integer, integer), portal_session_user(bytea, integer),
  portal_session_end(bytea), portal_session_end_all(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_login_lookup(text, integer), portal_login_failed(text),
  portal_session_start(text, bytea, integer, integer), portal_session_user(bytea, integer),
  portal_session_end(bytea), portal_session_end_all(bytea) TO creditgate_portal;
-- Admins see sessions (who is logged in, since when), never a token digest.
GRANT SELECT (email, created_at, last_seen_at, idle_expires_at, absolute_expires_at, ended_at)
  ON portal_session TO creditgate_admin;
