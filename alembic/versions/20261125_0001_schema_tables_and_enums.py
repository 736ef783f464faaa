"""The 41 tables of the schema document, their enums, constraints and indexes.

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 16:55:50.302689
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Emails are case-insensitive (citext); gen_random_uuid() is core since PostgreSQL 13.
    op.execute("CREATE EXTENSION IF NOT EXISTS citext")
    op.create_table('booking_tags',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('slug', sa.Text(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('color_token', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_tags')),
    sa.UniqueConstraint('slug', name=op.f('uq_booking_tags_slug'))
    )
    op.create_table('integrations_outbox',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('entity_type', sa.Text(), nullable=False),
    sa.Column('entity_id', sa.UUID(), nullable=False),
    sa.Column('target_system', sa.Text(), nullable=False),
    sa.Column('event_type', sa.Text(), nullable=False),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('status', sa.Text(), server_default='pending', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('next_run_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('locked_by', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("entity_type IN ('client', 'booking', 'lead')", name=op.f('ck_integrations_outbox_entity_type_valid')),
    sa.CheckConstraint("event_type IN ('contact.upsert', 'sales_order.create', 'booking.retry')", name=op.f('ck_integrations_outbox_event_type_valid')),
    sa.CheckConstraint("status IN ('pending', 'processing', 'succeeded', 'failed')", name=op.f('ck_integrations_outbox_status_valid')),
    sa.CheckConstraint("target_system IN ('kommo', 'zoho')", name=op.f('ck_integrations_outbox_target_system_valid')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integrations_outbox'))
    )
    op.create_index('ix_integrations_outbox_due', 'integrations_outbox', ['next_run_at'], unique=False, postgresql_where=sa.text("status = 'pending'"))
    op.create_index('ix_integrations_outbox_entity', 'integrations_outbox', ['entity_type', 'entity_id'], unique=False)
    op.create_index('ix_integrations_outbox_status_target', 'integrations_outbox', ['status', 'target_system'], unique=False)
    op.create_table('kpi_snapshots',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('snapshot_date', sa.Date(), nullable=False),
    sa.Column('period', sa.Text(), server_default='day', nullable=False),
    sa.Column('fleet_utilization', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('sla_compliance', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('driver_availability', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('tasks_completed', sa.Integer(), nullable=True),
    sa.Column('pending_documents', sa.Integer(), nullable=True),
    sa.Column('client_nps', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('avg_revenue_per_car', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('active_bookings', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("period IN ('day', 'week')", name=op.f('ck_kpi_snapshots_period_valid')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_snapshots')),
    sa.UniqueConstraint('snapshot_date', 'period', name='uq_kpi_snapshots_date_period')
    )
    op.create_table('sales_pipeline_stages',
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('probability', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('sla_days', sa.Integer(), nullable=True),
    sa.Column('badge_color', sa.Text(), nullable=True),
    sa.Column('position', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('probability BETWEEN 0 AND 100', name=op.f('ck_sales_pipeline_stages_probability_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_pipeline_stages'))
    )
    op.create_table('staff_accounts',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('full_name', sa.Text(), nullable=False),
    sa.Column('email', postgresql.CITEXT(), nullable=False),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('role', sa.Enum('operations', 'sales', 'ceo', 'driver', name='role_type'), nullable=False),
    sa.Column('locale', sa.Text(), nullable=True),
    sa.Column('timezone', sa.Text(), nullable=True),
    sa.Column('default_route', sa.Text(), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_accounts')),
    sa.UniqueConstraint('email', name=op.f('uq_staff_accounts_email'))
    )
    op.create_index(op.f('ix_staff_accounts_role'), 'staff_accounts', ['role'], unique=False)
    op.create_table('clients',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('kommo_contact_id', sa.Text(), nullable=True),
    sa.Column('zoho_contact_id', sa.Text(), nullable=True),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('email', postgresql.CITEXT(), nullable=True),
    sa.Column('residency_country', sa.Text(), nullable=True),
    sa.Column('tier', sa.Enum('vip', 'gold', 'silver', name='client_tier'), server_default='silver', nullable=False),
    sa.Column('segment', sa.Enum('premier_loyalist', 'dormant_vip', 'growth_gold', 'at_risk', 'new_rising', 'high_value_dormant', 'general', name='client_segment'), server_default='general', nullable=False),
    sa.Column('gender', sa.Text(), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('outstanding_amount', sa.Numeric(precision=12, scale=2), server_default='0', nullable=False),
    sa.Column('nps_score', sa.SmallInteger(), nullable=True),
    sa.Column('preferred_channels', sa.ARRAY(sa.Text()), nullable=True),
    sa.Column('preferred_language', sa.Text(), nullable=True),
    sa.Column('timezone', sa.Text(), nullable=True),
    sa.Column('created_by', sa.UUID(), nullable=True),
    sa.Column('updated_by', sa.UUID(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('nps_score BETWEEN 0 AND 10', name=op.f('ck_clients_nps_score_range')),
    sa.ForeignKeyConstraint(['created_by'], ['staff_accounts.id'], name=op.f('fk_clients_created_by_staff_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['staff_accounts.id'], name=op.f('fk_clients_updated_by_staff_accounts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clients'))
    )
    op.create_index(op.f('ix_clients_created_by'), 'clients', ['created_by'], unique=False)
    op.create_index(op.f('ix_clients_email'), 'clients', ['email'], unique=False)
    op.create_index('ix_clients_kommo_contact_id', 'clients', ['kommo_contact_id'], unique=False)
    op.create_index(op.f('ix_clients_residency_country'), 'clients', ['residency_country'], unique=False)
    op.create_index(op.f('ix_clients_segment'), 'clients', ['segment'], unique=False)
    op.create_index(op.f('ix_clients_tier'), 'clients', ['tier'], unique=False)
    op.create_index(op.f('ix_clients_updated_by'), 'clients', ['updated_by'], unique=False)
    op.create_index('ix_clients_zoho_contact_id', 'clients', ['zoho_contact_id'], unique=False)
    op.create_table('documents',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('storage_path', sa.Text(), nullable=True),
    sa.Column('original_name', sa.Text(), nullable=False),
    sa.Column('mime_type', sa.Text(), nullable=True),
    sa.Column('size_bytes', sa.BigInteger(), nullable=True),
    sa.Column('checksum', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('verified', 'needs_review', 'expired', name='document_status'), server_default='needs_review', nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('expires_at', sa.Date(), nullable=True),
    sa.Column('created_by', sa.UUID(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('size_bytes >= 0', name=op.f('ck_documents_size_non_negative')),
    sa.ForeignKeyConstraint(['created_by'], ['staff_accounts.id'], name=op.f('fk_documents_created_by_staff_accounts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('storage_path', name=op.f('uq_documents_storage_path'))
    )
    op.create_index(op.f('ix_documents_created_by'), 'documents', ['created_by'], unique=False)
    op.create_index(op.f('ix_documents_expires_at'), 'documents', ['expires_at'], unique=False)
    op.create_index(op.f('ix_documents_status'), 'documents', ['status'], unique=False)
    op.create_table('driver_profiles',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('staff_account_id', sa.UUID(), nullable=True),
    sa.Column('status', sa.Enum('available', 'on_task', 'standby', name='driver_status'), server_default='available', nullable=False),
    sa.Column('experience_years', sa.Integer(), nullable=True),
    sa.Column('current_lat', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('current_lng', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('languages', sa.ARRAY(sa.Text()), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('last_status_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['staff_account_id'], ['staff_accounts.id'], name=op.f('fk_driver_profiles_staff_account_id_staff_accounts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_driver_profiles')),
    sa.UniqueConstraint('staff_account_id', name=op.f('uq_driver_profiles_staff_account_id'))
    )
    op.create_index(op.f('ix_driver_profiles_status'), 'driver_profiles', ['status'], unique=False)
    op.create_table('knowledge_base_articles',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('category', sa.Text(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('owner_id', sa.UUID(), nullable=True),
    sa.Column('search_vector', postgresql.TSVECTOR(), sa.Computed("setweight(to_tsvector('simple', coalesce(title, '')), 'A') || setweight(to_tsvector('simple', coalesce(body, '')), 'B')", persisted=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['staff_accounts.id'], name=op.f('fk_knowledge_base_articles_owner_id_staff_accounts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_base_articles'))
    )
    op.create_index(op.f('ix_knowledge_base_articles_category'), 'knowledge_base_articles', ['category'], unique=False)
    op.create_index(op.f('ix_knowledge_base_articles_owner_id'), 'knowledge_base_articles', ['owner_id'], unique=False)
    op.create_index('ix_knowledge_base_articles_search', 'knowledge_base_articles', ['search_vector'], unique=False, postgresql_using='gin')
    op.create_table('staff_sessions',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('staff_account_id', sa.UUID(), nullable=False),
    sa.Column('role', sa.Enum('operations', 'sales', 'ceo', 'driver', name='role_type'), nullable=False),
    sa.Column('auth_session_id', sa.Text(), nullable=True),
    sa.Column('device', sa.Text(), nullable=True),
    sa.Column('user_agent', sa.Text(), nullable=True),
    sa.Column('ip_address', sa.Text(), nullable=True),
    sa.Column('signed_in_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['staff_account_id'], ['staff_accounts.id'], name=op.f('fk_staff_sessions_staff_account_id_staff_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_sessions'))
    )
    op.create_index(op.f('ix_staff_sessions_auth_session_id'), 'staff_sessions', ['auth_session_id'], unique=False)
    op.create_index(op.f('ix_staff_sessions_staff_account_id'), 'staff_sessions', ['staff_account_id'], unique=False)
    op.create_table('vehicles',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('external_ref', sa.Text(), nullable=True),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('kommo_vehicle_id', sa.Text(), nullable=True),
    sa.Column('make', sa.Text(), nullable=True),
    sa.Column('model', sa.Text(), nullable=True),
    sa.Column('vin', sa.Text(), nullable=True),
    sa.Column('model_year', sa.SmallInteger(), nullable=True),
    sa.Column('exterior_color', sa.Text(), nullable=True),
    sa.Column('interior_color', sa.Text(), nullable=True),
    sa.Column('plate_number', sa.Text(), nullable=True),
    sa.Column('body_style', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('available', 'in_rent', 'maintenance', 'reserved', 'sold', 'service_car', name='vehicle_status'), server_default='available', nullable=False),
    sa.Column('class', sa.Text(), nullable=True),
    sa.Column('segment', sa.Text(), nullable=True),
    sa.Column('seating_capacity', sa.SmallInteger(), nullable=True),
    sa.Column('engine_displacement_l', sa.Numeric(precision=4, scale=2), nullable=True),
    sa.Column('power_hp', sa.SmallInteger(), nullable=True),
    sa.Column('cylinders', sa.SmallInteger(), nullable=True),
    sa.Column('zero_to_hundred_sec', sa.Numeric(precision=4, scale=2), nullable=True),
    sa.Column('transmission', sa.Text(), nullable=True),
    sa.Column('mileage_km', sa.Integer(), nullable=True),
    sa.Column('utilization_pct', sa.Numeric(precision=5, scale=2), server_default='0', nullable=False),
    sa.Column('revenue_ytd', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('health_score', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('location', sa.Text(), nullable=True),
    sa.Column('image_url', sa.Text(), nullable=True),
    sa.Column('created_by', sa.UUID(), nullable=True),
    sa.Column('updated_by', sa.UUID(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('cylinders BETWEEN 2 AND 16', name=op.f('ck_vehicles_cylinders_range')),
    sa.CheckConstraint('engine_displacement_l > 0', name=op.f('ck_vehicles_engine_displacement_positive')),
    sa.CheckConstraint('health_score BETWEEN 0 AND 1', name=op.f('ck_vehicles_health_score_range')),
    sa.CheckConstraint('mileage_km >= 0', name=op.f('ck_vehicles_mileage_non_negative')),
    sa.CheckConstraint('model_year BETWEEN 1980 AND 2100', name=op.f('ck_vehicles_model_year_range')),
    sa.CheckConstraint('power_hp BETWEEN 50 AND 1200', name=op.f('ck_vehicles_power_hp_range')),
    sa.CheckConstraint('seating_capacity BETWEEN 1 AND 20', name=op.f('ck_vehicles_seating_capacity_range')),
    sa.CheckConstraint('utilization_pct BETWEEN 0 AND 1', name=op.f('ck_vehicles_utilization_pct_range')),
    sa.CheckConstraint('zero_to_hundred_sec > 0', name=op.f('ck_vehicles_zero_to_hundred_positive')),
    sa.ForeignKeyConstraint(['created_by'], ['staff_accounts.id'], name=op.f('fk_vehicles_created_by_staff_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['staff_accounts.id'], name=op.f('fk_vehicles_updated_by_staff_accounts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vehicles')),
    sa.UniqueConstraint('external_ref', name=op.f('uq_vehicles_external_ref')),
    sa.UniqueConstraint('kommo_vehicle_id', name=op.f('uq_vehicles_kommo_vehicle_id')),
    sa.UniqueConstraint('vin', name=op.f('uq_vehicles_vin'))
    )
    op.create_index(op.f('ix_vehicles_body_style'), 'vehicles', ['body_style'], unique=False)
    op.create_index(op.f('ix_vehicles_class'), 'vehicles', ['class'], unique=False)
    op.create_index(op.f('ix_vehicles_created_by'), 'vehicles', ['created_by'], unique=False)
    op.create_index('ix_vehicles_make_model', 'vehicles', ['make', 'model'], unique=False)
    op.create_index(op.f('ix_vehicles_seating_capacity'), 'vehicles', ['seating_capacity'], unique=False)
    op.create_index(op.f('ix_vehicles_status'), 'vehicles', ['status'], unique=False)
    op.create_index(op.f('ix_vehicles_updated_by'), 'vehicles', ['updated_by'], unique=False)
    op.create_table('bookings',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('external_code', sa.Text(), nullable=True),
    sa.Column('client_id', sa.UUID(), nullable=True),
    sa.Column('vehicle_id', sa.UUID(), nullable=True),
    sa.Column('driver_id', sa.UUID(), nullable=True),
    sa.Column('owner_id', sa.UUID(), nullable=True),
    sa.Column('status', sa.Enum('new', 'preparation', 'delivery', 'in_rent', 'settlement', name='booking_status'), server_default='new', nullable=False),
    sa.Column('booking_type', sa.Enum('vip', 'short', 'corporate', name='booking_type'), nullable=True),
    sa.Column('channel', sa.Text(), nullable=True),
    sa.Column('source_payload_id', sa.Text(), nullable=True),
    sa.Column('kommo_status_id', sa.BigInteger(), nullable=True),
    sa.Column('priority', sa.Enum('high', 'medium', 'low', name='priority_level'), nullable=True),
    sa.Column('segment', sa.Enum('premier_loyalist', 'dormant_vip', 'growth_gold', 'at_risk', 'new_rising', 'high_value_dormant', 'general', name='client_segment'), nullable=True),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pickup_location', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('dropoff_location', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('sla_minutes', sa.Integer(), nullable=True),
    sa.Column('promised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('actual_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('total_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('paid_amount', sa.Numeric(precision=12, scale=2), server_default='0', nullable=False),
    sa.Column('deposit_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('currency', sa.Text(), server_default='AED', nullable=False),
    sa.Column('pickup_mileage', sa.Integer(), nullable=True),
    sa.Column('pickup_fuel_level', sa.Text(), nullable=True),
    sa.Column('return_mileage', sa.Integer(), nullable=True),
    sa.Column('return_fuel_level', sa.Text(), nullable=True),
    sa.Column('sales_rating_value', sa.SmallInteger(), nullable=True),
    sa.Column('sales_rating_feedback', sa.Text(), nullable=True),
    sa.Column('rated_by_role', sa.Enum('operations', 'sales', 'ceo', 'driver', name='role_type'), nullable=True),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('zoho_sales_order_id', sa.Text(), nullable=True),
    sa.Column('zoho_sync_status', sa.Text(), nullable=True),
    sa.Column('zoho_sync_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name=op.f('ck_bookings_currency_code')),
    sa.CheckConstraint("zoho_sync_status IN ('pending', 'synced', 'failed')", name=op.f('ck_bookings_zoho_sync_status_valid')),
    sa.CheckConstraint('deposit_amount >= 0', name=op.f('ck_bookings_deposit_amount_non_negative')),
    sa.CheckConstraint('end_at IS NULL OR start_at IS NULL OR end_at >= start_at', name=op.f('ck_bookings_window_order')),
    sa.CheckConstraint('paid_amount >= 0', name=op.f('ck_bookings_paid_amount_non_negative')),
    sa.CheckConstraint('pickup_mileage >= 0', name=op.f('ck_bookings_pickup_mileage_non_negative')),
    sa.CheckConstraint('return_mileage IS NULL OR pickup_mileage IS NULL OR return_mileage >= pickup_mileage', name=op.f('ck_bookings_mileage_not_backwards')),
    sa.CheckConstraint('sales_rating_value BETWEEN 0 AND 10', name=op.f('ck_bookings_sales_rating_range')),
    sa.CheckConstraint('sla_minutes >= 0', name=op.f('ck_bookings_sla_minutes_non_negative')),
    sa.CheckConstraint('total_amount >= 0', name=op.f('ck_bookings_total_amount_non_negative')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_bookings_client_id_clients'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['driver_id'], ['driver_profiles.id'], name=op.f('fk_bookings_driver_id_driver_profiles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['staff_accounts.id'], name=op.f('fk_bookings_owner_id_staff_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_bookings_vehicle_id_vehicles'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings')),
    sa.UniqueConstraint('external_code', name=op.f('uq_bookings_external_code')),
    sa.UniqueConstraint('source_payload_id', name=op.f('uq_bookings_source_payload_id'))
    )
    op.create_index(op.f('ix_bookings_booking_type'), 'bookings', ['booking_type'], unique=False)
    op.create_index(op.f('ix_bookings_channel'), 'bookings', ['channel'], unique=False)
    op.create_index(op.f('ix_bookings_client_id'), 'bookings', ['client_id'], unique=False)
    op.create_index(op.f('ix_bookings_driver_id'), 'bookings', ['driver_id'], unique=False)
    op.create_index(op.f('ix_bookings_end_at'), 'bookings', ['end_at'], unique=False)
    op.create_index(op.f('ix_bookings_kommo_status_id'), 'bookings', ['kommo_status_id'], unique=False)
    op.create_index(op.f('ix_bookings_owner_id'), 'bookings', ['owner_id'], unique=False)
    op.create_index(op.f('ix_bookings_priority'), 'bookings', ['priority'], unique=False)
    op.create_index(op.f('ix_bookings_promised_at'), 'bookings', ['promised_at'], unique=False)
    op.create_index(op.f('ix_bookings_start_at'), 'bookings', ['start_at'], unique=False)
    op.create_index('ix_bookings_status_start', 'bookings', ['status', 'start_at'], unique=False)
    op.create_index(op.f('ix_bookings_vehicle_id'), 'bookings', ['vehicle_id'], unique=False)
    op.create_index('ix_bookings_vehicle_window', 'bookings', ['vehicle_id', 'start_at', 'end_at'], unique=False)
    op.create_index(op.f('ix_bookings_zoho_sync_status'), 'bookings', ['zoho_sync_status'], unique=False)
    op.create_table('client_notifications',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('external_ref', sa.Text(), nullable=True),
    sa.Column('client_id', sa.UUID(), nullable=False),
    sa.Column('channel', sa.Text(), nullable=True),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.Text(), nullable=True),
    sa.Column('meta', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_client_notifications_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_notifications')),
    sa.UniqueConstraint('external_ref', name=op.f('uq_client_notifications_external_ref'))
    )
    op.create_index(op.f('ix_client_notifications_client_id'), 'client_notifications', ['client_id'], unique=False)
    op.create_index(op.f('ix_client_notifications_sent_at'), 'client_notifications', ['sent_at'], unique=False)
    op.create_table('client_preferences',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('client_id', sa.UUID(), nullable=False),
    sa.Column('marketing_opt_in', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('vip_concierge', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('concierge_staff_id', sa.UUID(), nullable=True),
    sa.Column('do_not_contact', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_client_preferences_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['concierge_staff_id'], ['staff_accounts.id'], name=op.f('fk_client_preferences_concierge_staff_id_staff_accounts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_preferences')),
    sa.UniqueConstraint('client_id', name=op.f('uq_client_preferences_client_id'))
    )
    op.create_index(op.f('ix_client_preferences_concierge_staff_id'), 'client_preferences', ['concierge_staff_id'], unique=False)
    op.create_table('document_links',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('document_id', sa.UUID(), nullable=False),
    sa.Column('scope', sa.Enum('client', 'vehicle', 'booking', 'task', 'lead', name='document_scope'), nullable=False),
    sa.Column('entity_id', sa.UUID(), nullable=False),
    sa.Column('doc_type', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_links_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_links')),
    sa.UniqueConstraint('document_id', 'scope', 'entity_id', name='uq_document_links_target')
    )
    op.create_index(op.f('ix_document_links_document_id'), 'document_links', ['document_id'], unique=False)
    op.create_index('ix_document_links_scope_entity', 'document_links', ['scope', 'entity_id'], unique=False)
    op.create_table('sales_leads',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('lead_code', sa.Text(), nullable=True),
    sa.Column('client_id', sa.UUID(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('company', sa.Text(), nullable=True),
    sa.Column('owner_id', sa.UUID(), nullable=True),
    sa.Column('stage_id', sa.Text(), nullable=True),
    sa.Column('value_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('currency', sa.Text(), server_default='AED', nullable=False),
    sa.Column('probability_override', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('expected_close_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('requested_start_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('requested_end_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('fleet_size', sa.SmallInteger(), nullable=True),
    sa.Column('next_action', sa.Text(), nullable=True),
    sa.Column('velocity_days', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('active', 'won', 'lost', name='lead_status'), server_default='active', nullable=False),
    sa.Column('loss_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('fleet_size >= 0', name=op.f('ck_sales_leads_fleet_size_non_negative')),
    sa.CheckConstraint('probability_override BETWEEN 0 AND 100', name=op.f('ck_sales_leads_probability_range')),
    sa.CheckConstraint('value_amount >= 0', name=op.f('ck_sales_leads_value_non_negative')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_sales_leads_client_id_clients'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['staff_accounts.id'], name=op.f('fk_sales_leads_owner_id_staff_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['stage_id'], ['sales_pipeline_stages.id'], name=op.f('fk_sales_leads_stage_id_sales_pipeline_stages'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_leads')),
    sa.UniqueConstraint('lead_code', name=op.f('uq_sales_leads_lead_code'))
    )
    op.create_index(op.f('ix_sales_leads_client_id'), 'sales_leads', ['client_id'], unique=False)
    op.create_index(op.f('ix_sales_leads_expected_close_at'), 'sales_leads', ['expected_close_at'], unique=False)
    op.create_index(op.f('ix_sales_leads_owner_id'), 'sales_leads', ['owner_id'], unique=False)
    op.create_index(op.f('ix_sales_leads_stage_id'), 'sales_leads', ['stage_id'], unique=False)
    op.create_index(op.f('ix_sales_leads_status'), 'sales_leads', ['status'], unique=False)
    op.create_table('vehicle_inspections',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('vehicle_id', sa.UUID(), nullable=False),
    sa.Column('inspection_date', sa.Date(), nullable=True),
    sa.Column('driver_id', sa.UUID(), nullable=True),
    sa.Column('performed_by', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('photo_document_ids', sa.ARRAY(sa.UUID()), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['driver_id'], ['driver_profiles.id'], name=op.f('fk_vehicle_inspections_driver_id_driver_profiles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_vehicle_inspections_vehicle_id_vehicles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vehicle_inspections'))
    )
    op.create_index(op.f('ix_vehicle_inspections_driver_id'), 'vehicle_inspections', ['driver_id'], unique=False)
    op.create_index(op.f('ix_vehicle_inspections_inspection_date'), 'vehicle_inspections', ['inspection_date'], unique=False)
    op.create_index(op.f('ix_vehicle_inspections_vehicle_id'), 'vehicle_inspections', ['vehicle_id'], unique=False)
    op.create_table('vehicle_reminders',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('external_ref', sa.Text(), nullable=True),
    sa.Column('vehicle_id', sa.UUID(), nullable=False),
    sa.Column('reminder_type', sa.Text(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.Text(), server_default='scheduled', nullable=False),
    sa.Column('severity', sa.Text(), server_default='info', nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_by', sa.UUID(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('scheduled', 'warning', 'critical')", name=op.f('ck_vehicle_reminders_status_valid')),
    sa.ForeignKeyConstraint(['created_by'], ['staff_accounts.id'], name=op.f('fk_vehicle_reminders_created_by_staff_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_vehicle_reminders_vehicle_id_vehicles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vehicle_reminders')),
    sa.UniqueConstraint('external_ref', name=op.f('uq_vehicle_reminders_external_ref'))
    )
    op.create_index(op.f('ix_vehicle_reminders_created_by'), 'vehicle_reminders', ['created_by'], unique=False)
    op.create_index(op.f('ix_vehicle_reminders_due_date'), 'vehicle_reminders', ['due_date'], unique=False)
    op.create_index(op.f('ix_vehicle_reminders_status'), 'vehicle_reminders', ['status'], unique=False)
    op.create_index(op.f('ix_vehicle_reminders_vehicle_id'), 'vehicle_reminders', ['vehicle_id'], unique=False)
    op.create_table('booking_addons',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('booking_id', sa.UUID(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('category', sa.Text(), server_default='addon', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("category IN ('base', 'addon', 'discount')", name=op.f('ck_booking_addons_category_valid')),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_booking_addons_amount_non_negative')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_addons_booking_id_bookings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_addons'))
    )
    op.create_index(op.f('ix_booking_addons_booking_id'), 'booking_addons', ['booking_id'], unique=False)
    op.create_table('booking_extensions',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('booking_id', sa.UUID(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.Text(), server_default='requested', nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('pricing_base', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('pricing_addons', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('pricing_fees', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('pricing_discounts', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('pricing_total', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('currency', sa.Text(), server_default='AED', nullable=False),
    sa.Column('deposit_adjustment', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.UUID(), nullable=True),
    sa.Column('created_by', sa.UUID(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('requested', 'approved', 'rejected')", name=op.f('ck_booking_extensions_status_valid')),
    sa.CheckConstraint('end_at IS NULL OR start_at IS NULL OR end_at > start_at', name=op.f('ck_booking_extensions_window_order')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_extensions_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['staff_accounts.id'], name=op.f('fk_booking_extensions_created_by_staff_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by'], ['staff_accounts.id'], name=op.f('fk_booking_extensions_decided_by_staff_accounts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_extensions')),
    sa.UniqueConstraint('label', name=op.f('uq_booking_extensions_label'))
    )
    op.create_index(op.f('ix_booking_extensions_booking_id'), 'booking_extensions', ['booking_id'], unique=False)
    op.create_index(op.f('ix_booking_extensions_created_by'), 'booking_extensions', ['created_by'], unique=False)
    op.create_index(op.f('ix_booking_extensions_decided_by'), 'booking_extensions', ['decided_by'], unique=False)
    op.create_index(op.f('ix_booking_extensions_status'), 'booking_extensions', ['status'], unique=False)
    op.create_table('booking_invoices',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('booking_id', sa.UUID(), nullable=False),
    sa.Column('external_ref', sa.Text(), nullable=True),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('invoice_type', sa.Text(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('status', sa.Text(), server_default='issued', nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('scope', sa.Text(), server_default='rental', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("scope IN ('rental', 'deposit', 'extension')", name=op.f('ck_booking_invoices_scope_valid')),
    sa.CheckConstraint("status IN ('draft', 'issued', 'paid', 'void')", name=op.f('ck_booking_invoices_status_valid')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_invoices_booking_id_bookings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_invoices')),
    sa.UniqueConstraint('external_ref', name=op.f('uq_booking_invoices_external_ref'))
    )
    op.create_index(op.f('ix_booking_invoices_booking_id'), 'booking_invoices', ['booking_id'], unique=False)
    op.create_index(op.f('ix_booking_invoices_status'), 'booking_invoices', ['status'], unique=False)
    op.create_table('booking_tag_links',
    sa.Column('booking_id', sa.UUID(), nullable=False),
    sa.Column('tag_id', sa.UUID(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_tag_links_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['booking_tags.id'], name=op.f('fk_booking_tag_links_tag_id_booking_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('booking_id', 'tag_id', name=op.f('pk_booking_tag_links'))
    )
    op.create_index(op.f('ix_booking_tag_links_tag_id'), 'booking_tag_links', ['tag_id'], unique=False)
    op.create_table('booking_timeline_events',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('booking_id', sa.UUID(), nullable=False),
    sa.Column('event_ts', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('status', sa.Enum('new', 'preparation', 'delivery', 'in_rent', 'settlement', name='booking_status'), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('actor_type', sa.Text(), server_default='system', nullable=False),
    sa.Column('actor_id', sa.UUID(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("actor_type IN ('system', 'staff', 'driver')", name=op.f('ck_booking_timeline_events_actor_type_valid')),
    sa.ForeignKeyConstraint(['actor_id'], ['staff_accounts.id'], name=op.f('fk_booking_timeline_events_actor_id_staff_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_timeline_events_booking_id_bookings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_timeline_events'))
    )
    op.create_index(op.f('ix_booking_timeline_events_actor_id'), 'booking_timeline_events', ['actor_id'], unique=False)
    op.create_index(op.f('ix_booking_timeline_events_booking_id'), 'booking_timeline_events', ['booking_id'], unique=False)
    op.create_table('maintenance_jobs',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('vehicle_id', sa.UUID(), nullable=False),
    sa.Column('booking_id', sa.UUID(), nullable=True),
    sa.Column('job_type', sa.Text(), server_default='maintenance', nullable=False),
    sa.Column('status', sa.Text(), server_default='scheduled', nullable=False),
    sa.Column('scheduled_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('scheduled_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('actual_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('actual_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('odometer_start', sa.Integer(), nullable=True),
    sa.Column('odometer_end', sa.Integer(), nullable=True),
    sa.Column('vendor', sa.Text(), nullable=True),
    sa.Column('cost_estimate', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("job_type IN ('maintenance', 'repair', 'detailing')", name=op.f('ck_maintenance_jobs_job_type_valid')),
    sa.CheckConstraint("status IN ('scheduled', 'in_progress', 'done', 'cancelled')", name=op.f('ck_maintenance_jobs_status_valid')),
    sa.CheckConstraint('actual_end IS NULL OR actual_start IS NULL OR actual_end >= actual_start', name=op.f('ck_maintenance_jobs_actual_window_order')),
    sa.CheckConstraint('odometer_end IS NULL OR odometer_start IS NULL OR odometer_end >= odometer_start', name=op.f('ck_maintenance_jobs_odometer_order')),
    sa.CheckConstraint('scheduled_end IS NULL OR scheduled_start IS NULL OR scheduled_end >= scheduled_start', name=op.f('ck_maintenance_jobs_scheduled_window_order')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_maintenance_jobs_booking_id_bookings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_maintenance_jobs_vehicle_id_vehicles'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_maintenance_jobs'))
    )
    op.create_index(op.f('ix_maintenance_jobs_booking_id'), 'maintenance_jobs', ['booking_id'], unique=False)
    op.create_index(op.f('ix_maintenance_jobs_status'), 'maintenance_jobs', ['status'], unique=False)
    op.create_index(op.f('ix_maintenance_jobs_vehicle_id'), 'maintenance_jobs', ['vehicle_id'], unique=False)
    op.create_index('ix_maintenance_jobs_vehicle_window', 'maintenance_jobs', ['vehicle_id', 'scheduled_start'], unique=False)
    op.create_table('sales_lead_conflicts',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('lead_id', sa.UUID(), nullable=False),
    sa.Column('conflict_type', sa.Text(), nullable=False),
    sa.Column('severity', sa.Text(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("conflict_type IN ('vehicle', 'delivery', 'maintenance')", name=op.f('ck_sales_lead_conflicts_conflict_type_valid')),
    sa.ForeignKeyConstraint(['lead_id'], ['sales_leads.id'], name=op.f('fk_sales_lead_conflicts_lead_id_sales_leads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_lead_conflicts'))
    )
    op.create_index(op.f('ix_sales_lead_conflicts_lead_id'), 'sales_lead_conflicts', ['lead_id'], unique=False)
    op.create_table('sales_lead_documents',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('lead_id', sa.UUID(), nullable=False),
    sa.Column('document_id', sa.UUID(), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_by', sa.UUID(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_sales_lead_documents_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lead_id'], ['sales_leads.id'], name=op.f('fk_sales_lead_documents_lead_id_sales_leads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['verified_by'], ['staff_accounts.id'], name=op.f('fk_sales_lead_documents_verified_by_staff_accounts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_lead_documents'))
    )
    op.create_index(op.f('ix_sales_lead_documents_document_id'), 'sales_lead_documents', ['document_id'], unique=False)
    op.create_index(op.f('ix_sales_lead_documents_lead_id'), 'sales_lead_documents', ['lead_id'], unique=False)
    op.create_index(op.f('ix_sales_lead_documents_verified_by'), 'sales_lead_documents', ['verified_by'], unique=False)
    op.create_table('sales_lead_financials',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('lead_id', sa.UUID(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['sales_leads.id'], name=op.f('fk_sales_lead_financials_lead_id_sales_leads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_lead_financials'))
    )
    op.create_index(op.f('ix_sales_lead_financials_lead_id'), 'sales_lead_financials', ['lead_id'], unique=False)
    op.create_table('sales_lead_offers',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('lead_id', sa.UUID(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('price', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('margin_pct', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['sales_leads.id'], name=op.f('fk_sales_lead_offers_lead_id_sales_leads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_lead_offers'))
    )
    op.create_index(op.f('ix_sales_lead_offers_lead_id'), 'sales_lead_offers', ['lead_id'], unique=False)
    op.create_table('sales_lead_playbook_steps',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('lead_id', sa.UUID(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), server_default='0', nullable=False),
    sa.Column('is_done', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['sales_leads.id'], name=op.f('fk_sales_lead_playbook_steps_lead_id_sales_leads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_lead_playbook_steps'))
    )
    op.create_index(op.f('ix_sales_lead_playbook_steps_lead_id'), 'sales_lead_playbook_steps', ['lead_id'], unique=False)
    op.create_table('sales_lead_pricing_items',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('lead_id', sa.UUID(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('category', sa.Text(), server_default='base', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("category IN ('base', 'addon', 'discount')", name=op.f('ck_sales_lead_pricing_items_category_valid')),
    sa.ForeignKeyConstraint(['lead_id'], ['sales_leads.id'], name=op.f('fk_sales_lead_pricing_items_lead_id_sales_leads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_lead_pricing_items'))
    )
    op.create_index(op.f('ix_sales_lead_pricing_items_lead_id'), 'sales_lead_pricing_items', ['lead_id'], unique=False)
    op.create_table('sales_lead_tasks',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('lead_id', sa.UUID(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('todo', 'inprogress', 'done', name='task_status'), server_default='todo', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['sales_leads.id'], name=op.f('fk_sales_lead_tasks_lead_id_sales_leads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_lead_tasks'))
    )
    op.create_index(op.f('ix_sales_lead_tasks_lead_id'), 'sales_lead_tasks', ['lead_id'], unique=False)
    op.create_table('sales_lead_timeline_events',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('lead_id', sa.UUID(), nullable=False),
    sa.Column('event_ts', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('event_type', sa.Text(), server_default='system', nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.UUID(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("event_type IN ('system', 'call', 'proposal', 'task')", name=op.f('ck_sales_lead_timeline_events_event_type_valid')),
    sa.ForeignKeyConstraint(['lead_id'], ['sales_leads.id'], name=op.f('fk_sales_lead_timeline_events_lead_id_sales_leads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['staff_accounts.id'], name=op.f('fk_sales_lead_timeline_events_owner_id_staff_accounts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_lead_timeline_events'))
    )
    op.create_index(op.f('ix_sales_lead_timeline_events_lead_id'), 'sales_lead_timeline_events', ['lead_id'], unique=False)
    op.create_index(op.f('ix_sales_lead_timeline_events_owner_id'), 'sales_lead_timeline_events', ['owner_id'], unique=False)
    op.create_table('sales_lead_vehicle_matches',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('lead_id', sa.UUID(), nullable=False),
    sa.Column('vehicle_id', sa.UUID(), nullable=False),
    sa.Column('fit_score', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('fit_score BETWEEN 0 AND 100', name=op.f('ck_sales_lead_vehicle_matches_fit_score_range')),
    sa.ForeignKeyConstraint(['lead_id'], ['sales_leads.id'], name=op.f('fk_sales_lead_vehicle_matches_lead_id_sales_leads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_sales_lead_vehicle_matches_vehicle_id_vehicles'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_lead_vehicle_matches'))
    )
    op.create_index(op.f('ix_sales_lead_vehicle_matches_lead_id'), 'sales_lead_vehicle_matches', ['lead_id'], unique=False)
    op.create_index(op.f('ix_sales_lead_vehicle_matches_vehicle_id'), 'sales_lead_vehicle_matches', ['vehicle_id'], unique=False)
    op.create_table('calendar_events',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('external_ref', sa.Text(), nullable=True),
    sa.Column('vehicle_id', sa.UUID(), nullable=False),
    sa.Column('booking_id', sa.UUID(), nullable=True),
    sa.Column('maintenance_job_id', sa.UUID(), nullable=True),
    sa.Column('event_type', sa.Enum('rental', 'maintenance', 'repair', name='calendar_event_type'), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.Enum('scheduled', 'in_progress', 'completed', name='event_status'), server_default='scheduled', nullable=False),
    sa.Column('priority', sa.Enum('high', 'medium', 'low', name='priority_level'), nullable=True),
    sa.Column('color_token', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('end_at IS NULL OR start_at IS NULL OR end_at >= start_at', name=op.f('ck_calendar_events_window_order')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_calendar_events_booking_id_bookings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['maintenance_job_id'], ['maintenance_jobs.id'], name=op.f('fk_calendar_events_maintenance_job_id_maintenance_jobs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_calendar_events_vehicle_id_vehicles'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_events')),
    sa.UniqueConstraint('external_ref', name=op.f('uq_calendar_events_external_ref'))
    )
    op.create_index(op.f('ix_calendar_events_booking_id'), 'calendar_events', ['booking_id'], unique=False)
    op.create_index(op.f('ix_calendar_events_maintenance_job_id'), 'calendar_events', ['maintenance_job_id'], unique=False)
    op.create_index(op.f('ix_calendar_events_vehicle_id'), 'calendar_events', ['vehicle_id'], unique=False)
    op.create_index('ix_calendar_events_vehicle_window', 'calendar_events', ['vehicle_id', 'start_at'], unique=False)
    op.create_table('extension_notifications',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('extension_id', sa.UUID(), nullable=False),
    sa.Column('channel', sa.Text(), nullable=False),
    sa.Column('recipient', sa.Text(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), server_default='pending', nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['extension_id'], ['booking_extensions.id'], name=op.f('fk_extension_notifications_extension_id_booking_extensions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extension_notifications'))
    )
    op.create_index(op.f('ix_extension_notifications_extension_id'), 'extension_notifications', ['extension_id'], unique=False)
    op.create_table('extension_tasks',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('extension_id', sa.UUID(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('todo', 'inprogress', 'done', name='task_status'), server_default='todo', nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assignee_staff_id', sa.UUID(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['assignee_staff_id'], ['staff_accounts.id'], name=op.f('fk_extension_tasks_assignee_staff_id_staff_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['extension_id'], ['booking_extensions.id'], name=op.f('fk_extension_tasks_extension_id_booking_extensions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extension_tasks'))
    )
    op.create_index(op.f('ix_extension_tasks_assignee_staff_id'), 'extension_tasks', ['assignee_staff_id'], unique=False)
    op.create_index(op.f('ix_extension_tasks_extension_id'), 'extension_tasks', ['extension_id'], unique=False)
    op.create_table('tasks',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('booking_id', sa.UUID(), nullable=True),
    sa.Column('vehicle_id', sa.UUID(), nullable=True),
    sa.Column('client_id', sa.UUID(), nullable=True),
    sa.Column('extension_id', sa.UUID(), nullable=True),
    sa.Column('task_type', sa.Enum('delivery', 'pickup', 'maintenance', 'documents', name='task_type'), nullable=False),
    sa.Column('category', sa.Enum('logistics', 'maintenance', 'operations', name='task_category'), nullable=True),
    sa.Column('status', sa.Enum('todo', 'inprogress', 'done', name='task_status'), server_default='todo', nullable=False),
    sa.Column('priority', sa.Enum('high', 'medium', 'low', name='priority_level'), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sla_minutes', sa.Integer(), nullable=True),
    sa.Column('geo_pickup', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('geo_dropoff', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('route_distance_km', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('assignee_driver_id', sa.UUID(), nullable=True),
    sa.Column('assignee_staff_id', sa.UUID(), nullable=True),
    sa.Column('created_by', sa.UUID(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completion_notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('route_distance_km >= 0', name=op.f('ck_tasks_route_distance_non_negative')),
    sa.CheckConstraint('sla_minutes >= 0', name=op.f('ck_tasks_sla_minutes_non_negative')),
    sa.ForeignKeyConstraint(['assignee_driver_id'], ['driver_profiles.id'], name=op.f('fk_tasks_assignee_driver_id_driver_profiles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assignee_staff_id'], ['staff_accounts.id'], name=op.f('fk_tasks_assignee_staff_id_staff_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_tasks_booking_id_bookings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_tasks_client_id_clients'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by'], ['staff_accounts.id'], name=op.f('fk_tasks_created_by_staff_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['extension_id'], ['booking_extensions.id'], name=op.f('fk_tasks_extension_id_booking_extensions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_tasks_vehicle_id_vehicles'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks'))
    )
    op.create_index(op.f('ix_tasks_assignee_driver_id'), 'tasks', ['assignee_driver_id'], unique=False)
    op.create_index(op.f('ix_tasks_assignee_staff_id'), 'tasks', ['assignee_staff_id'], unique=False)
    op.create_index(op.f('ix_tasks_booking_id'), 'tasks', ['booking_id'], unique=False)
    op.create_index(op.f('ix_tasks_client_id'), 'tasks', ['client_id'], unique=False)
    op.create_index(op.f('ix_tasks_created_by'), 'tasks', ['created_by'], unique=False)
    op.create_index(op.f('ix_tasks_deadline_at'), 'tasks', ['deadline_at'], unique=False)
    op.create_index('ix_tasks_driver_status', 'tasks', ['assignee_driver_id', 'status'], unique=False)
    op.create_index(op.f('ix_tasks_extension_id'), 'tasks', ['extension_id'], unique=False)
    op.create_index(op.f('ix_tasks_status'), 'tasks', ['status'], unique=False)
    op.create_index(op.f('ix_tasks_task_type'), 'tasks', ['task_type'], unique=False)
    op.create_index(op.f('ix_tasks_vehicle_id'), 'tasks', ['vehicle_id'], unique=False)
    op.create_table('task_checklist_items',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('task_id', sa.UUID(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('required', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('position', sa.Integer(), server_default='0', nullable=False),
    sa.Column('completed', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('completed_by', sa.UUID(), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['completed_by'], ['staff_accounts.id'], name=op.f('fk_task_checklist_items_completed_by_staff_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_checklist_items_task_id_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_checklist_items'))
    )
    op.create_index(op.f('ix_task_checklist_items_completed_by'), 'task_checklist_items', ['completed_by'], unique=False)
    op.create_index(op.f('ix_task_checklist_items_task_id'), 'task_checklist_items', ['task_id'], unique=False)
    op.create_table('task_media',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('task_id', sa.UUID(), nullable=False),
    sa.Column('document_id', sa.UUID(), nullable=False),
    sa.Column('caption', sa.Text(), nullable=True),
    sa.Column('captured_by', sa.UUID(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['captured_by'], ['staff_accounts.id'], name=op.f('fk_task_media_captured_by_staff_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_task_media_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_media_task_id_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_media')),
    sa.UniqueConstraint('task_id', 'document_id', name='uq_task_media_task_document')
    )
    op.create_index(op.f('ix_task_media_captured_by'), 'task_media', ['captured_by'], unique=False)
    op.create_index(op.f('ix_task_media_document_id'), 'task_media', ['document_id'], unique=False)
    op.create_index(op.f('ix_task_media_task_id'), 'task_media', ['task_id'], unique=False)
    op.create_table('task_required_inputs',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('task_id', sa.UUID(), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('input_type', sa.Text(), nullable=False),
    sa.Column('accept', sa.Text(), nullable=True),
    sa.Column('multiple', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('required', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("input_type IN ('number', 'text', 'select', 'file')", name=op.f('ck_task_required_inputs_input_type_valid')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_required_inputs_task_id_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_required_inputs')),
    sa.UniqueConstraint('task_id', 'key', name='uq_task_required_inputs_task_key')
    )
    op.create_index(op.f('ix_task_required_inputs_task_id'), 'task_required_inputs', ['task_id'], unique=False)
    op.create_table('task_required_input_values',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('input_id', sa.UUID(), nullable=False),
    sa.Column('value_text', sa.Text(), nullable=True),
    sa.Column('value_number', sa.Numeric(precision=14, scale=3), nullable=True),
    sa.Column('value_json', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('captured_by', sa.UUID(), nullable=True),
    sa.Column('captured_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['captured_by'], ['staff_accounts.id'], name=op.f('fk_task_required_input_values_captured_by_staff_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['input_id'], ['task_required_inputs.id'], name=op.f('fk_task_required_input_values_input_id_task_required_inputs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_required_input_values'))
    )
    op.create_index(op.f('ix_task_required_input_values_captured_by'), 'task_required_input_values', ['captured_by'], unique=False)
    op.create_index(op.f('ix_task_required_input_values_input_id'), 'task_required_input_values', ['input_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_task_required_input_values_input_id'), table_name='task_required_input_values')
    op.drop_index(op.f('ix_task_required_input_values_captured_by'), table_name='task_required_input_values')
    op.drop_table('task_required_input_values')
    op.drop_index(op.f('ix_task_required_inputs_task_id'), table_name='task_required_inputs')
    op.drop_table('task_required_inputs')
    op.drop_index(op.f('ix_task_media_task_id'), table_name='task_media')
    op.drop_index(op.f('ix_task_media_document_id'), table_name='task_media')
    op.drop_index(op.f('ix_task_media_captured_by'), table_name='task_media')
    op.drop_table('task_media')
    op.drop_index(op.f('ix_task_checklist_items_task_id'), table_name='task_checklist_items')
    op.drop_index(op.f('ix_task_checklist_items_completed_by'), table_name='task_checklist_items')
    op.drop_table('task_checklist_items')
    op.drop_index(op.f('ix_tasks_vehicle_id'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_task_type'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_status'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_extension_id'), table_name='tasks')
    op.drop_index('ix_tasks_driver_status', table_name='tasks')
    op.drop_index(op.f('ix_tasks_deadline_at'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_created_by'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_client_id'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_booking_id'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_assignee_staff_id'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_assignee_driver_id'), table_name='tasks')
    op.drop_table('tasks')
    op.drop_index(op.f('ix_extension_tasks_extension_id'), table_name='extension_tasks')
    op.drop_index(op.f('ix_extension_tasks_assignee_staff_id'), table_name='extension_tasks')
    op.drop_table('extension_tasks')
    op.drop_index(op.f('ix_extension_notifications_extension_id'), table_name='extension_notifications')
    op.drop_table('extension_notifications')
    op.drop_index('ix_calendar_events_vehicle_window', table_name='calendar_events')
    op.drop_index(op.f('ix_calendar_events_vehicle_id'), table_name='calendar_events')
    op.drop_index(op.f('ix_calendar_events_maintenance_job_id'), table_name='calendar_events')
    op.drop_index(op.f('ix_calendar_events_booking_id'), table_name='calendar_events')
    op.drop_table('calendar_events')
    op.drop_index(op.f('ix_sales_lead_vehicle_matches_vehicle_id'), table_name='sales_lead_vehicle_matches')
    op.drop_index(op.f('ix_sales_lead_vehicle_matches_lead_id'), table_name='sales_lead_vehicle_matches')
    op.drop_table('sales_lead_vehicle_matches')
    op.drop_index(op.f('ix_sales_lead_timeline_events_owner_id'), table_name='sales_lead_timeline_events')
    op.drop_index(op.f('ix_sales_lead_timeline_events_lead_id'), table_name='sales_lead_timeline_events')
    op.drop_table('sales_lead_timeline_events')
    op.drop_index(op.f('ix_sales_lead_tasks_lead_id'), table_name='sales_lead_tasks')
    op.drop_table('sales_lead_tasks')
    op.drop_index(op.f('ix_sales_lead_pricing_items_lead_id'), table_name='sales_lead_pricing_items')
    op.drop_table('sales_lead_pricing_items')
    op.drop_index(op.f('ix_sales_lead_playbook_steps_lead_id'), table_name='sales_lead_playbook_steps')
    op.drop_table('sales_lead_playbook_steps')
    op.drop_index(op.f('ix_sales_lead_offers_lead_id'), table_name='sales_lead_offers')
    op.drop_table('sales_lead_offers')
    op.drop_index(op.f('ix_sales_lead_financials_lead_id'), table_name='sales_lead_financials')
    op.drop_table('sales_lead_financials')
    op.drop_index(op.f('ix_sales_lead_documents_verified_by'), table_name='sales_lead_documents')
    op.drop_index(op.f('ix_sales_lead_documents_lead_id'), table_name='sales_lead_documents')
    op.drop_index(op.f('ix_sales_lead_documents_document_id'), table_name='sales_lead_documents')
    op.drop_table('sales_lead_documents')
    op.drop_index(op.f('ix_sales_lead_conflicts_lead_id'), table_name='sales_lead_conflicts')
    op.drop_table('sales_lead_conflicts')
    op.drop_index('ix_maintenance_jobs_vehicle_window', table_name='maintenance_jobs')
    op.drop_index(op.f('ix_maintenance_jobs_vehicle_id'), table_name='maintenance_jobs')
    op.drop_index(op.f('ix_maintenance_jobs_status'), table_name='maintenance_jobs')
    op.drop_index(op.f('ix_maintenance_jobs_booking_id'), table_name='maintenance_jobs')
    op.drop_table('maintenance_jobs')
    op.drop_index(op.f('ix_booking_timeline_events_booking_id'), table_name='booking_timeline_events')
    op.drop_index(op.f('ix_booking_timeline_events_actor_id'), table_name='booking_timeline_events')
    op.drop_table('booking_timeline_events')
    op.drop_index(op.f('ix_booking_tag_links_tag_id'), table_name='booking_tag_links')
    op.drop_table('booking_tag_links')
    op.drop_index(op.f('ix_booking_invoices_status'), table_name='booking_invoices')
    op.drop_index(op.f('ix_booking_invoices_booking_id'), table_name='booking_invoices')
    op.drop_table('booking_invoices')
    op.drop_index(op.f('ix_booking_extensions_status'), table_name='booking_extensions')
    op.drop_index(op.f('ix_booking_extensions_decided_by'), table_name='booking_extensions')
    op.drop_index(op.f('ix_booking_extensions_created_by'), table_name='booking_extensions')
    op.drop_index(op.f('ix_booking_extensions_booking_id'), table_name='booking_extensions')
    op.drop_table('booking_extensions')
    op.drop_index(op.f('ix_booking_addons_booking_id'), table_name='booking_addons')
    op.drop_table('booking_addons')
    op.drop_index(op.f('ix_vehicle_reminders_vehicle_id'), table_name='vehicle_reminders')
    op.drop_index(op.f('ix_vehicle_reminders_status'), table_name='vehicle_reminders')
    op.drop_index(op.f('ix_vehicle_reminders_due_date'), table_name='vehicle_reminders')
    op.drop_index(op.f('ix_vehicle_reminders_created_by'), table_name='vehicle_reminders')
    op.drop_table('vehicle_reminders')
    op.drop_index(op.f('ix_vehicle_inspections_vehicle_id'), table_name='vehicle_inspections')
    op.drop_index(op.f('ix_vehicle_inspections_inspection_date'), table_name='vehicle_inspections')
    op.drop_index(op.f('ix_vehicle_inspections_driver_id'), table_name='vehicle_inspections')
    op.drop_table('vehicle_inspections')
    op.drop_index(op.f('ix_sales_leads_status'), table_name='sales_leads')
    op.drop_index(op.f('ix_sales_leads_stage_id'), table_name='sales_leads')
    op.drop_index(op.f('ix_sales_leads_owner_id'), table_name='sales_leads')
    op.drop_index(op.f('ix_sales_leads_expected_close_at'), table_name='sales_leads')
    op.drop_index(op.f('ix_sales_leads_client_id'), table_name='sales_leads')
    op.drop_table('sales_leads')
    op.drop_index('ix_document_links_scope_entity', table_name='document_links')
    op.drop_index(op.f('ix_document_links_document_id'), table_name='document_links')
    op.drop_table('document_links')
    op.drop_index(op.f('ix_client_preferences_concierge_staff_id'), table_name='client_preferences')
    op.drop_table('client_preferences')
    op.drop_index(op.f('ix_client_notifications_sent_at'), table_name='client_notifications')
    op.drop_index(op.f('ix_client_notifications_client_id'), table_name='client_notifications')
    op.drop_table('client_notifications')
    op.drop_index(op.f('ix_bookings_zoho_sync_status'), table_name='bookings')
    op.drop_index('ix_bookings_vehicle_window', table_name='bookings')
    op.drop_index(op.f('ix_bookings_vehicle_id'), table_name='bookings')
    op.drop_index('ix_bookings_status_start', table_name='bookings')
    op.drop_index(op.f('ix_bookings_start_at'), table_name='bookings')
    op.drop_index(op.f('ix_bookings_promised_at'), table_name='bookings')
    op.drop_index(op.f('ix_bookings_priority'), table_name='bookings')
    op.drop_index(op.f('ix_bookings_owner_id'), table_name='bookings')
    op.drop_index(op.f('ix_bookings_kommo_status_id'), table_name='bookings')
    op.drop_index(op.f('ix_bookings_end_at'), table_name='bookings')
    op.drop_index(op.f('ix_bookings_driver_id'), table_name='bookings')
    op.drop_index(op.f('ix_bookings_client_id'), table_name='bookings')
    op.drop_index(op.f('ix_bookings_channel'), table_name='bookings')
    op.drop_index(op.f('ix_bookings_booking_type'), table_name='bookings')
    op.drop_table('bookings')
    op.drop_index(op.f('ix_vehicles_updated_by'), table_name='vehicles')
    op.drop_index(op.f('ix_vehicles_status'), table_name='vehicles')
    op.drop_index(op.f('ix_vehicles_seating_capacity'), table_name='vehicles')
    op.drop_index('ix_vehicles_make_model', table_name='vehicles')
    op.drop_index(op.f('ix_vehicles_created_by'), table_name='vehicles')
    op.drop_index(op.f('ix_vehicles_class'), table_name='vehicles')
    op.drop_index(op.f('ix_vehicles_body_style'), table_name='vehicles')
    op.drop_table('vehicles')
    op.drop_index(op.f('ix_staff_sessions_staff_account_id'), table_name='staff_sessions')
    op.drop_index(op.f('ix_staff_sessions_auth_session_id'), table_name='staff_sessions')
    op.drop_table('staff_sessions')
    op.drop_index('ix_knowledge_base_articles_search', table_name='knowledge_base_articles', postgresql_using='gin')
    op.drop_index(op.f('ix_knowledge_base_articles_owner_id'), table_name='knowledge_base_articles')
    op.drop_index(op.f('ix_knowledge_base_articles_category'), table_name='knowledge_base_articles')
    op.drop_table('knowledge_base_articles')
    op.drop_index(op.f('ix_driver_profiles_status'), table_name='driver_profiles')
    op.drop_table('driver_profiles')
    op.drop_index(op.f('ix_documents_status'), table_name='documents')
    op.drop_index(op.f('ix_documents_expires_at'), table_name='documents')
    op.drop_index(op.f('ix_documents_created_by'), table_name='documents')
    op.drop_table('documents')
    op.drop_index('ix_clients_zoho_contact_id', table_name='clients')
    op.drop_index(op.f('ix_clients_updated_by'), table_name='clients')
    op.drop_index(op.f('ix_clients_tier'), table_name='clients')
    op.drop_index(op.f('ix_clients_segment'), table_name='clients')
    op.drop_index(op.f('ix_clients_residency_country'), table_name='clients')
    op.drop_index('ix_clients_kommo_contact_id', table_name='clients')
    op.drop_index(op.f('ix_clients_email'), table_name='clients')
    op.drop_index(op.f('ix_clients_created_by'), table_name='clients')
    op.drop_table('clients')
    op.drop_index(op.f('ix_staff_accounts_role'), table_name='staff_accounts')
    op.drop_table('staff_accounts')
    op.drop_table('sales_pipeline_stages')
    op.drop_table('kpi_snapshots')
    op.drop_index('ix_integrations_outbox_status_target', table_name='integrations_outbox')
    op.drop_index('ix_integrations_outbox_entity', table_name='integrations_outbox')
    op.drop_index('ix_integrations_outbox_due', table_name='integrations_outbox', postgresql_where=sa.text("status = 'pending'"))
    op.drop_table('integrations_outbox')
    op.drop_table('booking_tags')
    op.execute("DROP TYPE IF EXISTS role_type")
    op.execute("DROP TYPE IF EXISTS driver_status")
    op.execute("DROP TYPE IF EXISTS client_tier")
    op.execute("DROP TYPE IF EXISTS client_segment")
    op.execute("DROP TYPE IF EXISTS vehicle_status")
    op.execute("DROP TYPE IF EXISTS booking_status")
    op.execute("DROP TYPE IF EXISTS booking_type")
    op.execute("DROP TYPE IF EXISTS priority_level")
    op.execute("DROP TYPE IF EXISTS calendar_event_type")
    op.execute("DROP TYPE IF EXISTS event_status")
    op.execute("DROP TYPE IF EXISTS task_type")
    op.execute("DROP TYPE IF EXISTS task_category")
    op.execute("DROP TYPE IF EXISTS task_status")
    op.execute("DROP TYPE IF EXISTS document_status")
    op.execute("DROP TYPE IF EXISTS document_scope")
    op.execute("DROP TYPE IF EXISTS lead_status")
    op.execute("DROP EXTENSION IF EXISTS citext")
