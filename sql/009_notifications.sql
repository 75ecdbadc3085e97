-- Notifications for tenants' contacts, written to an outbox in the same transaction as the money:
-- a debit that rolls back emits nothing, and nothing committed is ever lost. Plugins relay the
-- outbox to the host's notifier in the background (claim with SKIP LOCKED and a lease, mark sent,
-- retry with backoff), never on the decision path.
SET LOCAL ROLE creditgate_owner;
SET LOCAL search_path = creditgate;

-- A low-balance level that fired and has not recovered yet: no row = armed. One notification per
-- downward crossing; the level re-arms when a credit lifts the balance back to its threshold.
CREATE TABLE balance_alert (
  tenant_id        text NOT NULL REFERENCES tenant,
  level            text NOT NULL CHECK (level IN ('warning', 'critical', 'depleted')),
  threshold_micros bigint NOT NULL,  -- as configured when it fired; recovery compares with this
  fired_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, level)
);

-- When each kind of notification last went out per tenant: the minimum interval stops storms.
CREATE TABLE notification_pace (
  tenant_id       text NOT NULL REFERENCES tenant,
  kind            text NOT NULL,  -- insufficient_credit | warning | critical | depleted
  last_emitted_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, kind)
);

CREATE TABLE outbox_event (
  tenant_id     text NOT NULL REFERENCES tenant,
  event_id      bigint GENERATED ALWAYS AS IDENTITY,
  type          text NOT NULL CHECK (type IN ('insufficient_credit', 'low_balance', 'depleted',
                                              'recovered')),
  payload       jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  available_at  timestamptz NOT NULL DEFAULT now(),  -- not before: backoff after a failure
  claimed_by    text,
  claimed_until timestamptz,                          -- a relay's lease; expired = claimable again
  attempts      integer NOT NULL DEFAULT 0,
  last_error    text,
  sent_at       timestamptz,
  PRIMARY KEY (tenant_id, event_id)
);
CREATE UNIQUE INDEX outbox_event_id ON outbox_event (event_id);
CREATE INDEX outbox_pending ON outbox_event (available_at) WHERE sent_at IS NULL;

-- Emits an event unless one of this kind went out for the tenant within the interval.
CREATE FUNCTION emit_paced(p_tenant_id text, p_kind text, p_type text, p_payload jsonb,
                           p_min_interval_ms integer) RETURNS boolean
  LANGUAGE plpgsql SET search_path = creditgate, pg_temp
AS $$
BEGIN
  INSERT INTO notification_pace AS pace (tenant_id, kind, last_emitted_at)
  VALUES (p_tenant_id, p_kind, now())
  ON CONFLICT (tenant_id, kind) DO UPDATE SET last_emitted_at = now()
   WHERE pace.last_emitted_at <= now() - make_interval(secs => p_min_interval_ms / 1000.0);
  IF NOT FOUND THEN
    RETURN false;  -- paced: the previous one is too recent
  END IF;
  INSERT INTO outbox_event (tenant_id, type, payload) VALUES (p_tenant_id, p_type, p_payload);
  RETURN true;
END
$$;

-- After a debit: fire every armed level the balance fell below; one event, for the most severe.
CREATE FUNCTION note_balance_fall(p_tenant_id text, p_currency text, p_after bigint,
                                  p_warning_micros bigint, p_critical_micros bigint,
                                  p_min_interval_ms integer) RETURNS void
  LANGUAGE plpgsql SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_level     text;
  v_threshold bigint;
  v_worst     text;
  v_worst_at  bigint;
BEGIN
  FOR v_level, v_threshold IN
    SELECT l, t FROM (VALUES ('warning', p_warning_micros, 1), ('critical', p_critical_micros, 2),
                             ('depleted', 1::bigint, 3)) AS levels(l, t, severity)
     WHERE t IS NOT NULL AND p_after < t ORDER BY severity
  LOOP
    INSERT INTO balance_alert (tenant_id, level, threshold_micros)
    VALUES (p_tenant_id, v_level, v_threshold) ON CONFLICT DO NOTHING;
    IF FOUND THEN
      v_worst := v_level;
      v_worst_at := v_threshold;
    END IF;
  END LOOP;
  IF v_worst IS NOT NULL THEN
    PERFORM emit_paced(p_tenant_id, v_worst,
                       CASE v_worst WHEN 'depleted' THEN 'depleted' ELSE 'low_balance' END,
                       jsonb_build_object('level', v_worst, 'threshold_micros', v_worst_at,
                                          'balance_micros', p_after, 'currency', p_currency),
                       p_min_interval_ms);
  END IF;
END
$$;

-- After a credit (top-up, refund): re-arm every level the balance is back at, with one event.
CREATE FUNCTION note_balance_rise(p_tenant_id text, p_currency text, p_after bigint)
  RETURNS void
  LANGUAGE plpgsql SET search_path = creditgate, pg_temp
AS $$
DECLARE
  v_levels text[];
BEGIN
  WITH recovered AS (
    DELETE FROM balance_alert WHERE tenant_id = p_tenant_id AND p_after >= threshold_micros
    RETURNING level
  )
  SELECT array_agg(level ORDER BY level) INTO v_levels FROM recovered;
  IF v_levels IS NOT NULL THEN
    INSERT INTO outbox_event (tenant_id, type, payload)
    VALUES (p_tenant_id, 'recovered',
            jsonb_build_object('levels', to_jsonb(v_levels), 'balance_micros', p_after,
                               'currency', p_currency));
  END IF;
END
$$;

-- The relay's side. A relay claims due events with a lease (SKIP LOCKED: relays of many gateway
-- instances never take the same row at once), hands them to the host, then marks each sent or
-- failed (retried after p_retry_after_ms). A relay that dies loses its lease and the event is
-- claimed again: delivery is at least once, with a stable event_id for the host to de-duplicate.
CREATE TYPE claimed_event AS (
  event_id   bigint,
  tenant_id  text,
  type       text,
  payload    jsonb,
  contacts   text[],
  attempts   integer,
  created_at timestamptz
);

CREATE FUNCTION claim_events(p_relay text, p_limit integer, p_lease_ms integer)
  RETURNS SETOF claimed_event
  LANGUAGE sql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
  WITH due AS (
    SELECT tenant_id, event_id FROM outbox_event
     WHERE sent_at IS NULL AND available_at <= now()
       AND (claimed_until IS NULL OR claimed_until < now())
     ORDER BY available_at, event_id
     LIMIT p_limit
       FOR UPDATE SKIP LOCKED
  )
  UPDATE outbox_event o
     SET claimed_by = p_relay,
         claimed_until = now() + make_interval(secs => p_lease_ms / 1000.0),
         attempts = o.attempts + 1
    FROM due
   WHERE o.tenant_id = due.tenant_id AND o.event_id = due.event_id
  RETURNING o.event_id, o.tenant_id, o.type, o.payload,
            (SELECT t.contacts FROM tenant t WHERE t.tenant_id = o.tenant_id), o.attempts,
            o.created_at
$$;

-- False when this relay no longer holds the lease (another relay took the event over).
CREATE FUNCTION mark_event_sent(p_relay text, p_event_id bigint) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
BEGIN
  UPDATE outbox_event SET sent_at = now(), claimed_until = NULL
   WHERE event_id = p_event_id AND claimed_by = p_relay AND sent_at IS NULL;
  RETURN FOUND;
END
$$;

CREATE FUNCTION mark_event_failed(p_relay text, p_event_id bigint, p_error text,
                                  p_retry_after_ms integer) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
BEGIN
  UPDATE outbox_event
     SET claimed_by = NULL, claimed_until = NULL, last_error = left(p_error, 500),
         available_at = now() + make_interval(secs => p_retry_after_ms / 1000.0)
   WHERE event_id = p_event_id AND claimed_by = p_relay AND sent_at IS NULL;
  RETURN FOUND;
END
$$;

-- For admins: who is told about a tenant's credit (tenant add sets the first).
CREATE FUNCTION set_tenant_contacts(p_tenant_id text, p_contacts text[]) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = creditgate, pg_temp
AS $$
BEGIN
  UPDATE tenant SET contacts = coalesce(p_contacts, '{}')
   WHERE tenant_id = p_tenant_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown tenant %', p_tenant_id USING ERRCODE = 'P0002';
  END IF;
END
$$;

REVOKE ALL ON balance_alert, notification_pace, outbox_event FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION emit_paced(text, text, text, jsonb, integer),
  note_balance_fall(text, text, bigint, bigint, bigint, integer),
  note_balance_rise(text, text, bigint), claim_events(text, integer, integer),
  mark_event_sent(text, bigint), mark_event_failed(text, bigint, text, integer),
  set_tenant_contacts(text, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION claim_events(text, integer, integer), mark_event_sent(text, bigint),
  mark_event_failed(text, bigint, text, integer) TO creditgate_plugin;
GRANT SELECT ON balance_alert, notification_pace, outbox_event TO creditgate_admin;
GRANT EXECUTE ON FUNCTION set_tenant_contacts(text, text[]) TO creditgate_admin;
