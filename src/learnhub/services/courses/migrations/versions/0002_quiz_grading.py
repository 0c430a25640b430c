"""quiz grading: the attempt that counts and whether learners see the right answers

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing quizzes keep what they did before: the best attempt counts, answers show.
    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "show_correct_answers", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )
        batch_op.add_column(
            sa.Column("grading_method", sa.String(length=10), nullable=False, server_default="best")
        )


def downgrade() -> None:
    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.drop_column("grading_method")
        batch_op.drop_column("show_correct_answers")
