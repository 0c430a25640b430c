"""Tables of the catalog sub-domain: lesson content and the files attached to lessons."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from learnhub.services.courses.models import Base


class Lesson(Base):
    """The content of a lesson item (the item itself is in ``items``)."""

    __tablename__ = "lessons"

    item_id: Mapped[str] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    content_markdown: Mapped[str] = mapped_column(Text, default="")
    video_url: Mapped[str | None] = mapped_column(String(500))
    transcript: Mapped[str] = mapped_column(Text, default="")
    complete_on_view: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime]


class Attachment(Base):
    """A file attached to a lesson; its bytes are in the object store under ``storage_key``."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_item", "item_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(300))
    uploaded_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime]
