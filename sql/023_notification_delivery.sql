-- Notifications reach people: every outbox event (sql/009) is delivered to each of its tenant's
-- channels, with a delivery record per (event, channel). A contact names its channel:
--   email:<address>        a mail over SMTP
--   webhook:<https url>    a POST signed per Standard Webhooks 1.0 with the endpoint's secret
--   host, host:<text>      the host's notify() (as before this file); so is a contact of free text
--                          stored before channels existed, handed to notify() as it is
-- A tenant with no contact at all still has its events handed to the host's notify(), as before.
--
-- The relay (plugin/notify/outbox_relay.cpp) fans an event out into deliveries when it first sees
-- it, not in the decision's transaction: the decision path writes one outbox row as before. It
-- claims due deliveries with a lease (SKIP LOCKED: two relays never hold one at once), at most one
-- in flight per channel (a slow endpoint ties up one worker, not all), and finishes each:
-- delivered, retried with backoff until the retry period ends (then failed), failed at once on a
-- permanent refusal (SMTP 5xx), or disabled (webhook 410: the endpoint is switched off until an
-- admin enables it). An event is sent (outbox_event.sent_at) when none of its deliveries is pending.
SET LOCAL ROLE creditgate_owner;
SET LOCAL search_path = creditgate;

-- The channel rule; plugin/delivery/channel.cpp applies the same one before it sends. NULL when
-- the contact is fine, else what is wrong with it, naming the value.
CREATE FUNCTION contact_problem(p_contact text) RETURNS text
  LANGUAGE plpgsql IMMUTABLE SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_value     text;
  v_authority text;
  v_host      text;
  v_port      text;
BEGIN
  IF p_contact IS NULL OR length(p_contact) NOT BETWEEN 1 AND 2000 OR p_contact ~ '[[:cntrl:]]'
  THEN
    RETURN format('contact %s must be 1 to 2000 characters without control characters',
                  coalesce(portal_quoted(p_contact), 'NULL'));
  END IF;
  -- A channel written another way ("EMAIL:", "mailto:", a bare URL) would otherwise be kept as
  -- free text for the host's notifier, and no mail or webhook would ever go out.
  IF p_contact ~* '^(e-?mail|mailto|webhook|https?|host):'
     AND p_contact !~ '^(email|webhook|host):' THEN
    RETURN format('contact %s: write a channel as email:<address>, webhook:<https url> or host '
                  '(lower case)', portal_quoted(p_contact));
  END IF;
  IF left(p_contact, 6) = 'email:' THEN
    v_value := substr(p_contact, 7);
    IF length(v_value) > 254
       OR v_value !~ ('^[A-Za-z0-9.!#$%&''*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9]([A-Za-z0-9-]{0,61}'
                      '[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$') THEN
      RETURN format('contact %s: %s is not an email address (name@domain, ASCII)',
                    portal_quoted(p_contact), portal_quoted(v_value));
    END IF;
  ELSIF left(p_contact, 8) = 'webhook:' THEN
    v_value := substr(p_contact, 9);
    v_authority := substring(v_value FROM '^https?://([^/?#]*)');
    -- host[:port]: a DNS name or IPv4 address, or an IPv6 one in brackets; a port 1..65535.
    v_port := substring(v_authority FROM ':([0-9]*)$');
    v_host := CASE WHEN v_port IS NULL THEN v_authority
                   ELSE left(v_authority, length(v_authority) - length(v_port) - 1) END;
    IF v_value ~ '[[:space:]"<>\\^`{|}#]' OR v_authority IS NULL
       OR v_host !~ ('^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]'
                     '([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$')
       OR (v_port IS NOT NULL AND (v_port !~ '^[0-9]{1,5}$' OR v_port::integer NOT BETWEEN 1 AND 65535))
    THEN
      RETURN format('contact %s: %s is not a webhook URL (https://host[:port]/path, no user name, '
                    'no #fragment)', portal_quoted(p_contact), portal_quoted(v_value));
    END IF;
    IF left(v_value, 7) = 'http://' AND v_host NOT IN ('127.0.0.1', 'localhost', '[::1]') THEN
      RETURN format('contact %s: a webhook must use https (http only to 127.0.0.1, localhost or '
                    '[::1])', portal_quoted(p_contact));
    END IF;
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION contact_kind(p_contact text) RETURNS text
  LANGUAGE sql IMMUTABLE SET search_path = creditgate, pg_temp
AS $$
  SELECT CASE WHEN left(p_contact, 6) = 'email:' THEN 'email'
              WHEN left(p_contact, 8) = 'webhook:' THEN 'webhook'
              ELSE 'host' END
$$;

-- A webhook endpoint of a tenant: one per webhook contact, with its signing secrets. Kept while the
-- contact is listed (re-listing a URL keeps its secret); a 410 disables it until an admin enables it.
CREATE TABLE webhook_endpoint (
  tenant_id       text NOT NULL REFERENCES tenant,
  url             text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  disabled_at     timestamptz,
  disabled_reason text,
  PRIMARY KEY (tenant_id, url)
);

-- Signing secrets (whsec_ + base64 of 32 bytes). Readable by admins and, through the portal's
-- functions, by the tenant's own users; the plugin's role reads one only inside a delivery it has
-- claimed to that endpoint (claim_deliveries), never on demand. A rotation keeps the old secret
-- valid until expires_at: both sign meanwhile, so receivers can switch at their own pace.
CREATE TABLE webhook_secret (
  tenant_id  text NOT NULL,
  url        text NOT NULL,
  secret     text NOT NULL CHECK (secret ~ '^whsec_[A-Za-z0-9+/]{30,86}={0,2}$'),  -- 24..64 bytes
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  expires_at timestamptz,  -- NULL: current
  PRIMARY KEY (tenant_id, url, created_at),
  FOREIGN KEY (tenant_id, url) REFERENCES webhook_endpoint ON DELETE CASCADE
);

-- 32 random bytes from two v4 UUIDs (PostgreSQL's strong random source; 244 random bits), so no
-- extension is needed.
CREATE FUNCTION new_webhook_secret() RETURNS text
  LANGUAGE sql VOLATILE SET search_path = creditgate, pg_temp
AS $$
  SELECT 'whsec_' || encode(decode(replace(gen_random_uuid()::text, '-', '')
                                   || replace(gen_random_uuid()::text, '-', ''), 'hex'), 'base64')
$$;

CREATE TABLE notification_delivery (
  tenant_id       text NOT NULL,
  event_id        bigint NOT NULL,
  channel         text NOT NULL,  -- the contact as listed when the event was fanned out
  kind            text NOT NULL CHECK (kind IN ('email', 'webhook', 'host')),
  state           text NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'delivered', 'failed', 'disabled')),
  attempts        integer NOT NULL DEFAULT 0,
  available_at    timestamptz NOT NULL DEFAULT now(),  -- not before: backoff after a failure
  claimed_by      text,
  claimed_until   timestamptz,
  last_attempt_at timestamptz,
  last_status     integer,  -- SMTP reply or HTTP status of the last attempt; NULL: no answer
  last_error      text,
  delivered_at    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, event_id, channel),
  FOREIGN KEY (tenant_id, event_id) REFERENCES outbox_event
);
CREATE INDEX delivery_due ON notification_delivery (available_at) WHERE state = 'pending';
CREATE INDEX delivery_by_channel ON notification_delivery (tenant_id, channel)
  WHERE state = 'pending';

-- Events not yet fanned out. Those already sent before this file were delivered by the old relay.
ALTER TABLE outbox_event ADD COLUMN fanned_out_at timestamptz;
UPDATE outbox_event SET fanned_out_at = sent_at WHERE sent_at IS NOT NULL;
CREATE INDEX outbox_unfanned ON outbox_event (event_id) WHERE fanned_out_at IS NULL;

-- Relays of plugins older than this file call claim_events: they now find nothing, so during a
-- rolling upgrade only the new relay delivers and every delivery has its record.
CREATE OR REPLACE FUNCTION claim_events(p_relay text, p_limit integer, p_lease_ms integer)
  RETURNS SETOF claimed_event
  LANGUAGE sql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
  SELECT NULL::bigint, NULL::text, NULL::text, NULL::jsonb, NULL::text[], NULL::integer,
         NULL::timestamptz
   WHERE false
$$;

-- sql/021's check of a contact list, each contact now by contact_problem (the channel rule, up to
-- 2000 characters): a flat list, at most 10, none twice (letter case aside, as in sql/021).
CREATE OR REPLACE FUNCTION check_portal_contacts(p_contacts text[]) RETURNS void
  LANGUAGE plpgsql IMMUTABLE SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_contacts text[] := coalesce(p_contacts, '{}');
  v_problem  text;
  v_twice    text;
BEGIN
  IF array_ndims(v_contacts) > 1 THEN
    RAISE EXCEPTION 'contacts must be a flat list' USING ERRCODE = '22023';
  END IF;
  IF cardinality(v_contacts) > 10 THEN
    RAISE EXCEPTION 'at most 10 contacts, got %', cardinality(v_contacts) USING ERRCODE = '22023';
  END IF;
  SELECT p INTO v_problem FROM unnest(v_contacts) c, contact_problem(c) p
   WHERE p IS NOT NULL LIMIT 1;
  IF v_problem IS NOT NULL THEN
    RAISE EXCEPTION '%', v_problem USING ERRCODE = '22023';
  END IF;
  SELECT u.c INTO v_twice FROM unnest(v_contacts) WITH ORDINALITY AS u(c, i)
   WHERE EXISTS (SELECT FROM unnest(v_contacts) WITH ORDINALITY AS e(c, i)
                  WHERE lower(e.c) = lower(u.c) AND e.i < u.i)
   ORDER BY u.i LIMIT 1;
  IF v_twice IS NOT NULL THEN
    RAISE EXCEPTION 'contact % is listed twice', portal_quoted(v_twice) USING ERRCODE = '22023';
  END IF;
END
$$;

-- Sets a tenant's contacts, checked by check_portal_contacts: a new webhook contact gets an
-- endpoint and a fresh secret; an endpoint no longer listed goes with its secrets; pending
-- deliveries to a channel no longer listed fail, saying so. Returns the stored list.
CREATE FUNCTION apply_tenant_contacts(p_tenant_id text, p_contacts text[]) RETURNS text[]
  LANGUAGE plpgsql SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_contacts text[] := coalesce(p_contacts, '{}');
BEGIN
  PERFORM check_portal_contacts(v_contacts);

  UPDATE tenant SET contacts = v_contacts WHERE tenant_id = p_tenant_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown tenant %', p_tenant_id USING ERRCODE = 'P0002';
  END IF;

  -- An endpoint no longer listed keeps its row and secrets: listed again (a slip undone), it signs
  -- as before, and its receiver need not change. Lists show only the listed ones.
  INSERT INTO webhook_endpoint (tenant_id, url)
  SELECT p_tenant_id, substr(c, 9) FROM unnest(v_contacts) c WHERE contact_kind(c) = 'webhook'
  ON CONFLICT DO NOTHING;
  INSERT INTO webhook_secret (tenant_id, url, secret)
  SELECT e.tenant_id, e.url, new_webhook_secret() FROM webhook_endpoint e
   WHERE e.tenant_id = p_tenant_id
     AND NOT EXISTS (SELECT FROM webhook_secret s WHERE s.tenant_id = e.tenant_id AND s.url = e.url);

  UPDATE notification_delivery
     SET state = 'failed', claimed_by = NULL, claimed_until = NULL,
         last_error = 'the channel was removed from the tenant''s contacts'
   WHERE tenant_id = p_tenant_id AND state = 'pending' AND channel <> ALL (v_contacts)
     AND NOT (channel = '' AND cardinality(v_contacts) = 0);
  PERFORM close_finished_events(p_tenant_id);
  RETURN v_contacts;
END
$$;

-- Marks sent the tenant's fanned-out events that have no pending delivery left, at the time it
-- finds them done (not the transaction's start, which may precede another channel's delivery).
CREATE FUNCTION close_finished_events(p_tenant_id text) RETURNS void
  LANGUAGE sql SET search_path = creditgate, pg_temp
AS $$
  UPDATE outbox_event e SET sent_at = clock_timestamp(), claimed_by = NULL, claimed_until = NULL
   WHERE e.tenant_id = p_tenant_id AND e.sent_at IS NULL AND e.fanned_out_at IS NOT NULL
     AND NOT EXISTS (SELECT FROM notification_delivery d
                      WHERE d.tenant_id = e.tenant_id AND d.event_id = e.event_id
                        AND d.state = 'pending')
$$;

CREATE OR REPLACE FUNCTION set_tenant_contacts(p_tenant_id text, p_contacts text[]) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
BEGIN
  PERFORM apply_tenant_contacts(p_tenant_id, p_contacts);
END
$$;

-- As in sql/013, with the first contact checked and applied by apply_tenant_contacts.
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
  INSERT INTO tenant (tenant_id, currency) VALUES (p_tenant_id, p_currency)
  ON CONFLICT (tenant_id) DO NOTHING;
  IF FOUND THEN
    PERFORM apply_tenant_contacts(p_tenant_id, array_remove(ARRAY[p_contact], NULL));
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

-- The portal's admin writes follow the same rule (sql/021 checked length only).
CREATE OR REPLACE FUNCTION portal_add_tenant(p_token_sha256 bytea, p_tenant_id text,
                                             p_currency text, p_contact text) RETURNS text
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
BEGIN
  PERFORM portal_admin_email(p_token_sha256);
  IF p_tenant_id IS NULL OR p_tenant_id !~ '^[!-~]{1,64}$' THEN
    RAISE EXCEPTION 'tenant id % must be 1 to 64 printable ASCII characters without spaces',
      portal_quoted(p_tenant_id) USING ERRCODE = '22023';
  END IF;
  RETURN add_tenant(p_tenant_id, p_currency, nullif(p_contact, ''));
END
$$;

CREATE OR REPLACE FUNCTION portal_set_contacts(p_token_sha256 bytea, p_tenant_id text,
                                               p_contacts text[]) RETURNS text[]
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
BEGIN
  PERFORM portal_admin_email(p_token_sha256);
  IF NOT EXISTS (SELECT FROM tenant WHERE tenant_id = p_tenant_id) THEN
    RAISE EXCEPTION 'unknown tenant %', portal_quoted(p_tenant_id) USING ERRCODE = 'P0002';
  END IF;
  RETURN apply_tenant_contacts(p_tenant_id, p_contacts);
END
$$;

-- The relay's side --------------------------------------------------------------------------------

-- Fans out up to p_limit new events into one delivery per channel listed now (the host's notify()
-- with an empty contact when the tenant lists none). Any relay may run it: SKIP LOCKED shares them.
CREATE FUNCTION fan_out_events(p_limit integer) RETURNS integer
  LANGUAGE plpgsql SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_count integer;
BEGIN
  WITH fresh AS (
    SELECT tenant_id, event_id FROM outbox_event
     WHERE fanned_out_at IS NULL ORDER BY event_id LIMIT p_limit FOR UPDATE SKIP LOCKED
  ), marked AS (
    UPDATE outbox_event e SET fanned_out_at = now()
      FROM fresh WHERE e.tenant_id = fresh.tenant_id AND e.event_id = fresh.event_id
    RETURNING e.tenant_id, e.event_id, e.created_at
  ), added AS (
    INSERT INTO notification_delivery (tenant_id, event_id, channel, kind, created_at)
    SELECT m.tenant_id, m.event_id, c.contact, contact_kind(c.contact), m.created_at
      FROM marked m JOIN tenant t ON t.tenant_id = m.tenant_id
     CROSS JOIN LATERAL unnest(CASE WHEN cardinality(t.contacts) > 0 THEN t.contacts
                                    ELSE ARRAY[''] END) AS c(contact)
    RETURNING 1
  )
  SELECT count(*) INTO v_count FROM marked;
  RETURN v_count;
END
$$;

CREATE TYPE claimed_delivery AS (
  tenant_id   text,
  event_id    bigint,
  channel     text,
  kind        text,
  attempts    integer,
  type        text,
  payload     jsonb,
  created_at  timestamptz,
  campaign_id text,      -- of the payload's batch, for people
  minor_units smallint,  -- of the payload's currency
  secrets     text[]     -- a webhook's valid signing secrets, newest first
);

-- Claims up to p_limit due deliveries for p_lease_ms, at most one per channel and none of a channel
-- another relay holds now, so a slow endpoint holds one worker and its events go in order. Fans out
-- new events first. A delivery to a disabled webhook endpoint is closed as 'disabled' instead.
-- attempts counts claims: a relay killed mid-send has spent an attempt too.
CREATE FUNCTION claim_deliveries(p_relay text, p_limit integer, p_lease_ms integer)
  RETURNS SETOF claimed_delivery
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_row     record;
  v_taken   text[] := '{}';
  v_scanned integer := 0;
  v_count   integer := 0;
  v_key     text;
BEGIN
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 OR p_lease_ms IS NULL
     OR p_lease_ms NOT BETWEEN 1000 AND 3600000 THEN
    RAISE EXCEPTION 'limit % (1..1000) or lease % ms (1000..3600000) out of range', p_limit,
      p_lease_ms USING ERRCODE = '22023';
  END IF;
  PERFORM fan_out_events(p_limit * 4);
  FOR v_row IN
    SELECT d.tenant_id, d.event_id, d.channel, d.kind, e.disabled_at
      FROM notification_delivery d
      LEFT JOIN webhook_endpoint e ON d.kind = 'webhook' AND e.tenant_id = d.tenant_id
                                  AND 'webhook:' || e.url = d.channel
     WHERE d.state = 'pending' AND d.available_at <= now()
       AND (d.claimed_until IS NULL OR d.claimed_until < now())
     ORDER BY d.available_at, d.event_id
       FOR UPDATE OF d SKIP LOCKED
  LOOP
    v_scanned := v_scanned + 1;
    EXIT WHEN v_count >= p_limit OR v_scanned > p_limit * 20;
    IF v_row.disabled_at IS NOT NULL THEN
      PERFORM FROM outbox_event WHERE tenant_id = v_row.tenant_id AND event_id = v_row.event_id
        FOR UPDATE;  -- as in finish_delivery: the event's last delivery closes it
      UPDATE notification_delivery
         SET state = 'disabled', last_error = 'the webhook endpoint is disabled'
       WHERE tenant_id = v_row.tenant_id AND event_id = v_row.event_id
         AND channel = v_row.channel;
      PERFORM close_finished_events(v_row.tenant_id);
      CONTINUE;
    END IF;
    v_key := v_row.tenant_id || E'\n' || v_row.channel;
    CONTINUE WHEN v_key = ANY (v_taken);
    CONTINUE WHEN EXISTS (SELECT FROM notification_delivery f
                           WHERE f.tenant_id = v_row.tenant_id AND f.channel = v_row.channel
                             AND f.state = 'pending' AND f.claimed_until >= now());
    v_taken := v_taken || v_key;
    v_count := v_count + 1;
    RETURN QUERY
    UPDATE notification_delivery d
       SET claimed_by = p_relay, attempts = d.attempts + 1, last_attempt_at = now(),
           claimed_until = now() + make_interval(secs => p_lease_ms / 1000.0)
      FROM outbox_event o
     WHERE d.tenant_id = v_row.tenant_id AND d.event_id = v_row.event_id
       AND d.channel = v_row.channel AND o.tenant_id = d.tenant_id AND o.event_id = d.event_id
    RETURNING d.tenant_id, d.event_id, d.channel, d.kind, d.attempts, o.type, o.payload,
              o.created_at,
              (SELECT coalesce(
                        (SELECT r.campaign_id FROM batch_refusal r
                          WHERE r.tenant_id = o.tenant_id AND r.batch_id = o.payload->>'batch_id'
                          LIMIT 1),
                        (SELECT b.campaign_id FROM batch b
                          WHERE b.tenant_id = o.tenant_id AND b.batch_id = o.payload->>'batch_id'))),
              (SELECT c.minor_units FROM currency c WHERE c.code = o.payload->>'currency'),
              CASE WHEN d.kind = 'webhook' THEN
                ARRAY(SELECT s.secret FROM webhook_secret s
                       WHERE s.tenant_id = d.tenant_id AND 'webhook:' || s.url = d.channel
                         AND (s.expires_at IS NULL OR s.expires_at > now())
                       ORDER BY s.created_at DESC) END;
  END LOOP;
END
$$;

-- How an attempt ended: 'delivered'; 'retry' (in p_retry_after_ms, unless the retry period from
-- the event's creation, p_give_up_after_ms, is over: then failed, keeping the last error);
-- 'rejected' (permanent: failed now); 'gone' (webhook 410: the endpoint is disabled, and so are
-- its other pending deliveries). False when this relay no longer holds the lease.
CREATE FUNCTION finish_delivery(p_relay text, p_tenant_id text, p_event_id bigint, p_channel text,
                                p_outcome text, p_status integer, p_error text,
                                p_retry_after_ms integer, p_give_up_after_ms bigint)
  RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_created timestamptz;
  v_give_up timestamptz;
BEGIN
  IF p_outcome IS NULL OR p_outcome NOT IN ('delivered', 'retry', 'rejected', 'gone') THEN
    RAISE EXCEPTION 'outcome % is not delivered, retry, rejected or gone', p_outcome
      USING ERRCODE = '22023';
  END IF;
  SELECT created_at INTO v_created FROM notification_delivery
   WHERE tenant_id = p_tenant_id AND event_id = p_event_id AND channel = p_channel
     AND claimed_by = p_relay AND state = 'pending'
     FOR UPDATE;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  -- The event's other channels may finish at this very moment: one at a time per event, so that
  -- the last to finish sees the others done (each statement below reads after the lock) and marks
  -- the event sent. Lock order, here and in claim_deliveries: delivery, then event.
  PERFORM FROM outbox_event WHERE tenant_id = p_tenant_id AND event_id = p_event_id FOR UPDATE;
  v_give_up := v_created + make_interval(secs => p_give_up_after_ms / 1000.0);

  UPDATE notification_delivery
     SET claimed_by = NULL, claimed_until = NULL, last_status = p_status,
         last_error = CASE WHEN p_outcome = 'delivered' THEN NULL ELSE left(p_error, 500) END,
         delivered_at = CASE WHEN p_outcome = 'delivered' THEN now() END,
         state = CASE WHEN p_outcome = 'delivered' THEN 'delivered'
                      WHEN p_outcome = 'gone' THEN 'disabled'
                      WHEN p_outcome = 'rejected' OR now() >= v_give_up THEN 'failed'
                      ELSE 'pending' END,
         available_at = least(now() + make_interval(secs => p_retry_after_ms / 1000.0), v_give_up)
   WHERE tenant_id = p_tenant_id AND event_id = p_event_id AND channel = p_channel;

  IF p_outcome = 'gone' THEN
    UPDATE webhook_endpoint
       SET disabled_at = now(),
           disabled_reason = format('answered %s to event %s', p_status, p_event_id)
     WHERE tenant_id = p_tenant_id AND 'webhook:' || url = p_channel AND disabled_at IS NULL;
    UPDATE notification_delivery
       SET state = 'disabled', last_error = 'the webhook endpoint is disabled'
     WHERE tenant_id = p_tenant_id AND channel = p_channel AND state = 'pending'
       AND claimed_by IS NULL;
  END IF;
  PERFORM close_finished_events(p_tenant_id);
  RETURN true;
END
$$;

-- For metrics: deliveries still to make (and events not fanned out yet), and how long the oldest
-- of them has waited, in seconds (0 when none).
CREATE FUNCTION delivery_backlog(OUT pending bigint, OUT oldest_age_seconds bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
  SELECT (SELECT count(*) FROM notification_delivery WHERE state = 'pending')
           + (SELECT count(*) FROM outbox_event WHERE fanned_out_at IS NULL),
         coalesce(extract(epoch FROM now() - least(
           (SELECT min(created_at) FROM notification_delivery WHERE state = 'pending'),
           (SELECT min(created_at) FROM outbox_event WHERE fanned_out_at IS NULL)))::bigint, 0)
$$;

-- Admins ----------------------------------------------------------------------------------------

-- A new signing secret for a tenant's webhook; the ones valid now stay valid p_overlap_ms more
-- (0: the new one alone from now). Returns the new secret.
CREATE FUNCTION rotate_webhook_secret(p_tenant_id text, p_url text, p_overlap_ms bigint)
  RETURNS text
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_secret text := new_webhook_secret();
BEGIN
  IF p_overlap_ms IS NULL OR p_overlap_ms NOT BETWEEN 0 AND 30 * 86400000::bigint THEN
    RAISE EXCEPTION 'overlap % ms must be from 0 to 30 days', p_overlap_ms USING ERRCODE = '22023';
  END IF;
  PERFORM FROM webhook_endpoint WHERE tenant_id = p_tenant_id AND url = p_url FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'tenant % has no webhook %', p_tenant_id, portal_quoted(p_url)
      USING ERRCODE = 'P0002';
  END IF;
  UPDATE webhook_secret
     SET expires_at = least(coalesce(expires_at, 'infinity'),
                            now() + make_interval(secs => p_overlap_ms / 1000.0))
   WHERE tenant_id = p_tenant_id AND url = p_url AND (expires_at IS NULL OR expires_at > now());
  INSERT INTO webhook_secret (tenant_id, url, secret) VALUES (p_tenant_id, p_url, v_secret);
  RETURN v_secret;
END
$$;

-- Switches a disabled webhook endpoint back on; its deliveries disabled meanwhile stay as they are.
CREATE FUNCTION enable_webhook(p_tenant_id text, p_url text) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
BEGIN
  UPDATE webhook_endpoint SET disabled_at = NULL, disabled_reason = NULL
   WHERE tenant_id = p_tenant_id AND url = p_url;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'tenant % has no webhook %', p_tenant_id, portal_quoted(p_url)
      USING ERRCODE = 'P0002';
  END IF;
  RETURN true;
END
$$;

-- The portal -------------------------------------------------------------------------------------

-- The delivery record of the tenant's events p_event_ids (the notifications page shows a page).
CREATE FUNCTION portal_deliveries(p_token_sha256 bytea, p_tenant_id text, p_event_ids bigint[],
                                  OUT event_id bigint, OUT channel text, OUT kind text,
                                  OUT state text, OUT attempts integer,
                                  OUT last_attempt_at timestamptz, OUT last_status integer,
                                  OUT last_error text, OUT delivered_at timestamptz,
                                  OUT next_attempt_at timestamptz)
  RETURNS SETOF record
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_tenant text := portal_visible_tenant(p_token_sha256, p_tenant_id);
BEGIN
  IF v_tenant IS NULL OR cardinality(p_event_ids) > 1000 THEN
    RETURN;
  END IF;
  RETURN QUERY
  SELECT d.event_id, d.channel, d.kind, d.state, d.attempts, d.last_attempt_at, d.last_status,
         d.last_error, d.delivered_at, CASE WHEN d.state = 'pending' THEN d.available_at END
    FROM notification_delivery d
   WHERE d.tenant_id = v_tenant AND d.event_id = ANY (p_event_ids)
   ORDER BY d.event_id DESC, d.channel;
END
$$;

-- The tenant's webhook endpoints listed now, with the secrets valid now, for its own users and
-- admins: the receiver's owner needs the secret to check signatures.
CREATE FUNCTION portal_webhooks(p_token_sha256 bytea, p_tenant_id text, OUT url text,
                                OUT disabled_at timestamptz, OUT disabled_reason text,
                                OUT secrets text[], OUT secret_expires_at timestamptz[])
  RETURNS SETOF record
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_tenant text := portal_visible_tenant(p_token_sha256, p_tenant_id);
BEGIN
  IF v_tenant IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY
  SELECT e.url, e.disabled_at, e.disabled_reason, v.secrets, v.expires
    FROM webhook_endpoint e
   CROSS JOIN LATERAL (
         SELECT coalesce(array_agg(s.secret ORDER BY s.created_at DESC), '{}'),
                coalesce(array_agg(s.expires_at ORDER BY s.created_at DESC), '{}')
           FROM webhook_secret s
          WHERE s.tenant_id = e.tenant_id AND s.url = e.url
            AND (s.expires_at IS NULL OR s.expires_at > now())) AS v(secrets, expires)
   WHERE e.tenant_id = v_tenant
     AND EXISTS (SELECT FROM tenant t
                  WHERE t.tenant_id = e.tenant_id AND 'webhook:' || e.url = ANY (t.contacts))
   ORDER BY e.url;
END
$$;

REVOKE ALL ON webhook_endpoint, webhook_secret, notification_delivery FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION contact_problem(text), contact_kind(text), new_webhook_secret(),
  apply_tenant_contacts(text, text[]), close_finished_events(text), fan_out_events(integer),
  claim_deliveries(text, integer, integer),
  finish_delivery(text, text, bigint, text, text, integer, text, integer, bigint),
  delivery_backlog(), rotate_webhook_secret(text, text, bigint), enable_webhook(text, text),
  portal_deliveries(bytea, text, bigint[]), portal_webhooks(bytea, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION claim_deliveries(text, integer, integer),
  finish_delivery(text, text, bigint, text, text, integer, text, integer, bigint),
  delivery_backlog() TO creditgate_plugin;
GRANT SELECT ON webhook_endpoint, webhook_secret, notification_delivery TO creditgate_admin;
GRANT EXECUTE ON FUNCTION rotate_webhook_secret(text, text, bigint), enable_webhook(text, text),
  contact_problem(text) TO creditgate_admin;
GRANT EXECUTE ON FUNCTION portal_deliveries(bytea, text, bigint[]), portal_webhooks(bytea, text)
  TO creditgate_portal;
