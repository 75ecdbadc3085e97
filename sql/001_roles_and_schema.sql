-- Roles and the schema. Roles are cluster-wide, so they are created only when missing (several
-- databases of one cluster may each hold a creditgate schema, as the tests do).
--   creditgate_owner   owns every object; the money functions run with its rights (SECURITY DEFINER)
--   creditgate_plugin  the gateway's plugin: EXECUTE on the money functions, nothing else
--   creditgate_admin   admins and creditctl: reads everything, writes only through admin functions
-- Login users are made by the deployer as members of these roles (see README).
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'creditgate_owner') THEN
    CREATE ROLE creditgate_owner NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'creditgate_plugin') THEN
    CREATE ROLE creditgate_plugin NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'creditgate_admin') THEN
    CREATE ROLE creditgate_admin NOLOGIN;
  END IF;
END
$$;

CREATE SCHEMA creditgate AUTHORIZATION creditgate_owner;
REVOKE ALL ON SCHEMA creditgate FROM PUBLIC;
GRANT USAGE ON SCHEMA creditgate TO creditgate_plugin, creditgate_admin;

-- Functions are executable by PUBLIC by default; here nothing is unless granted by name.
ALTER DEFAULT PRIVILEGES FOR ROLE creditgate_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
