"""Initial schema: keys, datasets, grants, encrypted row chunks, structures, jobs, ledger.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('api_keys',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    op.create_table('datasets',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('owner_key_id', sa.Uuid(), nullable=False),
    sa.Column('dim', sa.Integer(), nullable=False),
    sa.Column('domain', sa.JSON(), nullable=False),
    sa.Column('neighbouring', sa.String(length=16), nullable=False),
    sa.Column('on_out_of_domain', sa.String(length=8), nullable=False),
    sa.Column('labelled', sa.Boolean(), nullable=False),
    sa.Column('epsilon_total', sa.BigInteger(), nullable=False),
    sa.Column('delta_total', sa.BigInteger(), nullable=False),
    sa.Column('epsilon_spent', sa.BigInteger(), nullable=False),
    sa.Column('delta_spent', sa.BigInteger(), nullable=False),
    sa.Column('row_count', sa.BigInteger(), nullable=False),
    sa.Column('chunk_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('delta_spent >= 0 AND delta_spent <= delta_total', name=op.f('ck_datasets_delta_within_budget')),
    sa.CheckConstraint('epsilon_spent >= 0 AND epsilon_spent <= epsilon_total', name=op.f('ck_datasets_epsilon_within_budget')),
    sa.ForeignKeyConstraint(['owner_key_id'], ['api_keys.id'], name=op.f('fk_datasets_owner_key_id_api_keys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_datasets'))
    )
    with op.batch_alter_table('datasets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_datasets_owner_key_id'), ['owner_key_id'], unique=False)

    op.create_table('dataset_grants',
    sa.Column('dataset_id', sa.Uuid(), nullable=False),
    sa.Column('key_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f('fk_dataset_grants_dataset_id_datasets')),
    sa.ForeignKeyConstraint(['key_id'], ['api_keys.id'], name=op.f('fk_dataset_grants_key_id_api_keys')),
    sa.PrimaryKeyConstraint('dataset_id', 'key_id', name=op.f('pk_dataset_grants'))
    )
    with op.batch_alter_table('dataset_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dataset_grants_key_id'), ['key_id'], unique=False)

    op.create_table('ledger_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('dataset_id', sa.Uuid(), nullable=False),
    sa.Column('structure_id', sa.Uuid(), nullable=True),
    sa.Column('entry', sa.String(length=16), nullable=False),
    sa.Column('epsilon', sa.BigInteger(), nullable=False),
    sa.Column('delta', sa.BigInteger(), nullable=False),
    sa.Column('mechanism', sa.JSON(), nullable=False),
    sa.Column('key_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f('fk_ledger_entries_dataset_id_datasets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_dataset_id'), ['dataset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_structure_id'), ['structure_id'], unique=False)

    op.create_table('row_chunks',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('dataset_id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('n_rows', sa.Integer(), nullable=False),
    sa.Column('ciphertext', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f('fk_row_chunks_dataset_id_datasets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_row_chunks')),
    sa.UniqueConstraint('dataset_id', 'seq', name=op.f('uq_row_chunks_dataset_id'))
    )
    with op.batch_alter_table('row_chunks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_row_chunks_dataset_id'), ['dataset_id'], unique=False)

    op.create_table('structures',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('dataset_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('seed', sa.String(length=40), nullable=False),
    sa.Column('epsilon', sa.BigInteger(), nullable=False),
    sa.Column('delta', sa.BigInteger(), nullable=False),
    sa.Column('noise_plan', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error_model', sa.JSON(), nullable=True),
    sa.Column('size_bytes', sa.BigInteger(), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ready_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['api_keys.id'], name=op.f('fk_structures_created_by_api_keys')),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f('fk_structures_dataset_id_datasets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_structures'))
    )
    with op.batch_alter_table('structures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_structures_dataset_id'), ['dataset_id'], unique=False)

    op.create_table('jobs',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('structure_id', sa.Uuid(), nullable=False),
    sa.Column('dataset_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('lease_owner', sa.String(length=80), nullable=True),
    sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f('fk_jobs_dataset_id_datasets')),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_jobs_structure_id_structures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index('ix_jobs_claim', ['status', 'lease_expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_dataset_id'), ['dataset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_structure_id'), ['structure_id'], unique=False)

    op.create_table('structure_blobs',
    sa.Column('structure_id', sa.Uuid(), nullable=False),
    sa.Column('format_version', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_structure_blobs_structure_id_structures')),
    sa.PrimaryKeyConstraint('structure_id', name=op.f('pk_structure_blobs'))
    )


def downgrade() -> None:
    op.drop_table('structure_blobs')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_structure_id'))
        batch_op.drop_index(batch_op.f('ix_jobs_dataset_id'))
        batch_op.drop_index('ix_jobs_claim')

    op.drop_table('jobs')
    with op.batch_alter_table('structures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_structures_dataset_id'))

    op.drop_table('structures')
    with op.batch_alter_table('row_chunks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_row_chunks_dataset_id'))

    op.drop_table('row_chunks')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entries_structure_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_dataset_id'))

    op.drop_table('ledger_entries')
    with op.batch_alter_table('dataset_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dataset_grants_key_id'))

    op.drop_table('dataset_grants')
    with op.batch_alter_table('datasets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_datasets_owner_key_id'))

    op.drop_table('datasets')
    op.drop_table('api_keys')
