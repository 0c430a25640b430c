"""course groups: sections of a large class, to filter the gradebook and grading by

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 18:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learnhub.kit.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "course_groups",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("course_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", learnhub.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", learnhub.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["courses.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("course_id", "name", name="uq_course_groups_name"),
    )
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_id", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            "fk_enrollments_group_id_course_groups",
            "course_groups",
            ["group_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_enrollments_group", ["course_id", "group_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.drop_index("ix_enrollments_group")
        batch_op.drop_constraint("fk_enrollments_group_id_course_groups", type_="foreignkey")
        batch_op.drop_column("group_id")
    op.drop_table("course_groups")
