"""Idempotency keys, Kommo webhook deliveries and import booking conflicts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 17:05:29.783281
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_TABLES = ["idempotency_keys", "kommo_webhook_deliveries", "booking_conflicts"]


def upgrade() -> None:
    op.create_table('idempotency_keys',
    sa.Column('principal_key', sa.Text(), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('method', sa.Text(), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('request_hash', sa.Text(), nullable=True),
    sa.Column('state', sa.Text(), server_default='in_progress', nullable=False),
    sa.Column('response_status', sa.Integer(), nullable=True),
    sa.Column('response_headers', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('response_body', sa.LargeBinary(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('principal_key', 'key', name=op.f('pk_idempotency_keys'))
    )
    op.create_index(op.f('ix_idempotency_keys_expires_at'), 'idempotency_keys', ['expires_at'], unique=False)
    op.create_table('kommo_webhook_deliveries',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('account_subdomain', sa.Text(), nullable=True),
    sa.Column('content_type', sa.Text(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_sha256', sa.Text(), nullable=False),
    sa.Column('status', sa.Text(), server_default='received', nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('received', 'processed', 'duplicate', 'rejected', 'failed')", name=op.f('ck_kommo_webhook_deliveries_status_valid')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kommo_webhook_deliveries'))
    )
    op.create_index(op.f('ix_kommo_webhook_deliveries_body_sha256'), 'kommo_webhook_deliveries', ['body_sha256'], unique=False)
    op.create_index(op.f('ix_kommo_webhook_deliveries_received_at'), 'kommo_webhook_deliveries', ['received_at'], unique=False)
    op.create_index(op.f('ix_kommo_webhook_deliveries_status'), 'kommo_webhook_deliveries', ['status'], unique=False)
    op.create_table('booking_conflicts',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('booking_id', sa.UUID(), nullable=False),
    sa.Column('conflicting_booking_id', sa.UUID(), nullable=False),
    sa.Column('source', sa.Text(), server_default='kommo_import', nullable=False),
    sa.Column('detected_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_conflicts_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conflicting_booking_id'], ['bookings.id'], name=op.f('fk_booking_conflicts_conflicting_booking_id_bookings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_conflicts')),
    sa.UniqueConstraint('booking_id', 'conflicting_booking_id', name='uq_booking_conflicts_pair')
    )
    op.create_index(op.f('ix_booking_conflicts_booking_id'), 'booking_conflicts', ['booking_id'], unique=False)
    op.create_index(op.f('ix_booking_conflicts_conflicting_booking_id'), 'booking_conflicts', ['conflicting_booking_id'], unique=False)

    for table in NEW_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_set_updated_at BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION set_updated_at()"
        )

def downgrade() -> None:
    for table in NEW_TABLES:
        op.execute(f"DROP TRIGGER {table}_set_updated_at ON {table}")
    op.drop_index(op.f('ix_booking_conflicts_conflicting_booking_id'), table_name='booking_conflicts')
    op.drop_index(op.f('ix_booking_conflicts_booking_id'), table_name='booking_conflicts')
    op.drop_table('booking_conflicts')
    op.drop_index(op.f('ix_kommo_webhook_deliveries_status'), table_name='kommo_webhook_deliveries')
    op.drop_index(op.f('ix_kommo_webhook_deliveries_received_at'), table_name='kommo_webhook_deliveries')
    op.drop_index(op.f('ix_kommo_webhook_deliveries_body_sha256'), table_name='kommo_webhook_deliveries')
    op.drop_table('kommo_webhook_deliveries')
    op.drop_index(op.f('ix_idempotency_keys_expires_at'), table_name='idempotency_keys')
    op.drop_table('idempotency_keys')
