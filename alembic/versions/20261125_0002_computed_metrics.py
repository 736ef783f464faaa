"""updated_at triggers, client tier/segment and vehicle utilization refresh, calendar view.

The rules are those of shared/spec/decisions.md. The booking triggers are
statement-level with transition tables, so a bulk import refreshes every
affected client and vehicle once per statement instead of once per row.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 17:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = [
    "staff_accounts", "driver_profiles", "staff_sessions",
    "clients", "client_notifications", "client_preferences",
    "vehicles", "vehicle_reminders", "vehicle_inspections", "maintenance_jobs",
    "documents", "document_links",
    "bookings", "booking_addons", "booking_invoices", "booking_timeline_events",
    "booking_tags", "booking_tag_links", "booking_extensions",
    "extension_notifications", "extension_tasks",
    "calendar_events", "tasks", "task_checklist_items", "task_required_inputs",
    "task_required_input_values", "task_media",
    "sales_pipeline_stages", "sales_leads", "sales_lead_financials", "sales_lead_documents",
    "sales_lead_vehicle_matches", "sales_lead_conflicts", "sales_lead_pricing_items",
    "sales_lead_timeline_events", "sales_lead_tasks", "sales_lead_offers",
    "sales_lead_playbook_steps",
    "kpi_snapshots", "knowledge_base_articles", "integrations_outbox",
]  # fmt: skip

SET_UPDATED_AT = """
CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Only a real change moves updated_at: ETags derive from it, and metric
    -- refreshes that compute the same values must not look like edits.
    -- clock_timestamp(), not now(): two changes in one transaction are two versions.
    IF NEW IS DISTINCT FROM OLD THEN
        NEW.updated_at := clock_timestamp();
    END IF;
    RETURN NEW;
END
$$;
"""

CLIENT_FUNCTIONS = """
CREATE FUNCTION calculate_client_lifetime_value(p_client_id uuid) RETURNS numeric(12, 2)
LANGUAGE sql STABLE AS $$
    SELECT coalesce(sum(coalesce(total_amount, 0)), 0)::numeric(12, 2)
    FROM bookings WHERE client_id = p_client_id
$$;

-- A booking without start_at counts with its created_at.
CREATE FUNCTION calculate_client_last_booking_at(p_client_id uuid) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT max(coalesce(start_at, created_at)) FROM bookings WHERE client_id = p_client_id
$$;

CREATE FUNCTION client_tier_for(p_ltv numeric) RETURNS client_tier
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN p_ltv >= 50000 THEN 'vip'
        WHEN p_ltv >= 35000 THEN 'gold'
        ELSE 'silver'
    END::client_tier
$$;

-- First matching rule wins. "Days ago" is the exact duration since the last
-- booking; a future booking counts as 0 days ago; no booking matches no rule.
CREATE FUNCTION client_segment_for(
    p_ltv numeric, p_last_booking_at timestamptz, p_as_of timestamptz
) RETURNS client_segment LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    tier client_tier := client_tier_for(p_ltv);
    -- greatest() skips NULLs, so "no booking" must stay NULL explicitly.
    ago interval := CASE WHEN p_last_booking_at IS NOT NULL
                         THEN greatest(p_as_of - p_last_booking_at, interval '0') END;
BEGIN
    IF ago IS NULL THEN
        RETURN 'general';
    END IF;
    RETURN CASE
        WHEN tier = 'vip' AND ago <= interval '30 days' THEN 'premier_loyalist'
        WHEN tier = 'vip' AND ago > interval '60 days' THEN 'dormant_vip'
        WHEN tier = 'gold' AND ago <= interval '45 days' THEN 'growth_gold'
        WHEN tier IN ('gold', 'silver') AND ago > interval '90 days' THEN 'at_risk'
        WHEN tier = 'silver' AND ago <= interval '30 days' AND p_ltv < 15000 THEN 'new_rising'
        WHEN p_ltv >= 35000 AND ago > interval '45 days' THEN 'high_value_dormant'
        ELSE 'general'
    END::client_segment;
END
$$;

-- Set-based: one pass over the affected clients' bookings, and only rows whose
-- tier or segment actually changes are written.
CREATE FUNCTION refresh_client_metrics_for_ids(p_client_ids uuid[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    changed integer;
BEGIN
    WITH metrics AS (
        SELECT c.id,
               coalesce(sum(coalesce(b.total_amount, 0)), 0) AS ltv,
               max(coalesce(b.start_at, b.created_at)) AS last_booking_at
        FROM clients c
        LEFT JOIN bookings b ON b.client_id = c.id
        WHERE c.id = ANY (p_client_ids)
        GROUP BY c.id
    ), computed AS (
        SELECT id,
               client_tier_for(ltv) AS tier,
               client_segment_for(ltv, last_booking_at, now()) AS segment
        FROM metrics
    )
    UPDATE clients c
    SET tier = computed.tier, segment = computed.segment
    FROM computed
    WHERE c.id = computed.id
      AND (c.tier IS DISTINCT FROM computed.tier OR c.segment IS DISTINCT FROM computed.segment);
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed;
END
$$;

CREATE FUNCTION refresh_client_tier_from_booking() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    ids uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT client_id) INTO ids FROM new_rows WHERE client_id IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT client_id) INTO ids FROM old_rows WHERE client_id IS NOT NULL;
    ELSE
        -- Both the old and the new client of a booking that moved are refreshed;
        -- updates that touch nothing the metrics read refresh nobody.
        SELECT array_agg(DISTINCT affected.client_id) INTO ids
        FROM old_rows o
        JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.client_id), (n.client_id)) AS affected(client_id)
        WHERE affected.client_id IS NOT NULL
          AND (o.client_id IS DISTINCT FROM n.client_id
               OR o.total_amount IS DISTINCT FROM n.total_amount
               OR o.start_at IS DISTINCT FROM n.start_at
               OR o.created_at IS DISTINCT FROM n.created_at);
    END IF;
    IF ids IS NOT NULL THEN
        PERFORM refresh_client_metrics_for_ids(ids);
    END IF;
    RETURN NULL;
END
$$;
"""

VEHICLE_FUNCTIONS = """
-- Union of the non-`new` bookings' [start_at, end_at] clipped to the last 30
-- days, over 30 days, capped at 1, two decimals.
CREATE FUNCTION calculate_vehicle_utilization(p_vehicle_id uuid, p_as_of timestamptz)
RETURNS numeric(5, 2) LANGUAGE sql STABLE AS $$
    -- least() skips NULLs: a car with no booking must give 0, not the cap.
    SELECT round(least(1, coalesce(extract(epoch FROM sum(upper(r) - lower(r))), 0)
                          / extract(epoch FROM interval '30 days'))::numeric, 2)
    FROM unnest((
        SELECT range_agg(tstzrange(greatest(b.start_at, p_as_of - interval '30 days'),
                                   least(b.end_at, p_as_of)))
        FROM bookings b
        WHERE b.vehicle_id = p_vehicle_id
          AND b.status <> 'new'
          AND b.start_at < p_as_of
          AND b.end_at > p_as_of - interval '30 days'
          AND b.end_at >= b.start_at
    )) AS r
$$;

CREATE FUNCTION refresh_vehicle_utilization(p_vehicle_id uuid) RETURNS numeric(5, 2)
LANGUAGE plpgsql AS $$
DECLARE
    pct numeric(5, 2) := calculate_vehicle_utilization(p_vehicle_id, now());
BEGIN
    UPDATE vehicles SET utilization_pct = pct
    WHERE id = p_vehicle_id AND utilization_pct IS DISTINCT FROM pct;
    RETURN pct;
END
$$;

CREATE FUNCTION refresh_vehicle_utilization_from_booking() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    ids uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT vehicle_id) INTO ids FROM new_rows WHERE vehicle_id IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT vehicle_id) INTO ids FROM old_rows WHERE vehicle_id IS NOT NULL;
    ELSE
        SELECT array_agg(DISTINCT affected.vehicle_id) INTO ids
        FROM old_rows o
        JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.vehicle_id), (n.vehicle_id)) AS affected(vehicle_id)
        WHERE affected.vehicle_id IS NOT NULL
          AND (o.vehicle_id IS DISTINCT FROM n.vehicle_id
               OR o.status IS DISTINCT FROM n.status
               OR o.start_at IS DISTINCT FROM n.start_at
               OR o.end_at IS DISTINCT FROM n.end_at);
    END IF;
    IF ids IS NOT NULL THEN
        PERFORM refresh_vehicle_utilization(id) FROM unnest(ids) AS id;
    END IF;
    RETURN NULL;
END
$$;

-- The daily job: segments and utilization depend on the clock.
CREATE FUNCTION refresh_all_client_and_vehicle_metrics() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_client_metrics_for_ids(ARRAY(SELECT id FROM clients));
    PERFORM refresh_vehicle_utilization(id) FROM vehicles;
END
$$;
"""

# PostgreSQL allows transition tables only on single-event triggers: one each.
BOOKING_TRIGGERS = [
    ("INSERT", "REFERENCING NEW TABLE AS new_rows"),
    ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ("DELETE", "REFERENCING OLD TABLE AS old_rows"),
]

CALENDAR_VIEW = """
CREATE VIEW calendar_events_expanded AS
SELECT ce.id, ce.vehicle_id, ce.booking_id, ce.maintenance_job_id, ce.event_type,
       ce.title, ce.description, ce.start_at, ce.end_at, ce.status, ce.priority,
       ce.color_token, 'calendar_event'::text AS source
FROM calendar_events ce
UNION ALL
SELECT b.id, b.vehicle_id, b.id, NULL::uuid, 'rental'::calendar_event_type,
       concat_ws(' · ', b.external_code, c.name), NULL::text, b.start_at, b.end_at,
       CASE b.status
           WHEN 'new' THEN 'scheduled'
           WHEN 'preparation' THEN 'scheduled'
           WHEN 'delivery' THEN 'in_progress'
           WHEN 'in_rent' THEN 'in_progress'
           WHEN 'settlement' THEN 'completed'
       END::event_status,
       b.priority, NULL::text, 'booking'::text
FROM bookings b
LEFT JOIN clients c ON c.id = b.client_id
WHERE b.vehicle_id IS NOT NULL AND (b.start_at IS NOT NULL OR b.end_at IS NOT NULL);
"""


def _execute_each(script: str) -> None:
    # asyncpg prepares each statement, so a script runs one statement at a time.
    for statement in script.split("$$;"):
        if statement.strip():
            op.execute(statement + "$$;")


def upgrade() -> None:
    _execute_each(SET_UPDATED_AT)
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_set_updated_at BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION set_updated_at()"
        )
    _execute_each(CLIENT_FUNCTIONS)
    _execute_each(VEHICLE_FUNCTIONS)
    for event, referencing in BOOKING_TRIGGERS:
        suffix = event.lower()
        op.execute(
            f"CREATE TRIGGER bookings_refresh_clients_{suffix} AFTER {event} ON bookings "
            f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION refresh_client_tier_from_booking()"
        )
        op.execute(
            f"CREATE TRIGGER bookings_refresh_vehicles_{suffix} AFTER {event} ON bookings "
            f"{referencing} FOR EACH STATEMENT "
            "EXECUTE FUNCTION refresh_vehicle_utilization_from_booking()"
        )
    op.execute(CALENDAR_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW calendar_events_expanded")
    for event, _ in BOOKING_TRIGGERS:
        suffix = event.lower()
        op.execute(f"DROP TRIGGER bookings_refresh_clients_{suffix} ON bookings")
        op.execute(f"DROP TRIGGER bookings_refresh_vehicles_{suffix} ON bookings")
    for function in (
        "refresh_all_client_and_vehicle_metrics()",
        "refresh_vehicle_utilization_from_booking()",
        "refresh_vehicle_utilization(uuid)",
        "calculate_vehicle_utilization(uuid, timestamptz)",
        "refresh_client_tier_from_booking()",
        "refresh_client_metrics_for_ids(uuid[])",
        "client_segment_for(numeric, timestamptz, timestamptz)",
        "client_tier_for(numeric)",
        "calculate_client_last_booking_at(uuid)",
        "calculate_client_lifetime_value(uuid)",
    ):
        op.execute(f"DROP FUNCTION {function}")
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_set_updated_at ON {table}")
    op.execute("DROP FUNCTION set_updated_at()")
