"""Tables of the assignments sub-domain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from learnhub.services.courses.models import Base


class Assignment(Base):
    """The settings of an assignment item (the item itself is in ``items``)."""

    __tablename__ = "assignments"

    item_id: Mapped[str] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime | None]
    instructions: Mapped[str] = mapped_column(String(20000), default="")
