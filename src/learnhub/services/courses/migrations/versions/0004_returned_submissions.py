"""returned submissions: work a grader handed back for a new version

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 17:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learnhub.kit.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assignment_submissions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("returned_at", learnhub.kit.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("assignment_submissions", schema=None) as batch_op:
        batch_op.drop_column("returned_at")
