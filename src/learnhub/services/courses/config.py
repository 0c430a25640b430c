"""Settings of the courses service (``LEARNHUB_COURSES_*``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class CoursesSettings(BaseSettings):
    """File storage, upload limits, paging, the read cache and background work."""

    model_config = SettingsConfigDict(env_prefix="LEARNHUB_COURSES_", extra="ignore")

    storage: Literal["local", "s3"] = Field(
        "local", description="Where files go: `local` disk or an `s3` store."
    )
    storage_dir: Path | None = Field(
        None, description="Folder of the local file store (default: `files/` in the data folder)."
    )
    s3_bucket: str = Field("learnhub-files", description="Bucket of the S3 store.")
    s3_endpoint_url: str | None = Field(
        None, description="Endpoint of an S3-compatible store (unset: AWS)."
    )
    s3_region: str = Field("us-east-1", description="Region of the S3 store.")
    s3_access_key_id: str | None = Field(None, description="Access key of the S3 store.")
    s3_secret_access_key: SecretStr | None = Field(None, description="Secret key of the S3 store.")
    max_upload_bytes: int = Field(
        50 * 1024 * 1024,
        description="Largest file a user may upload (a course archive to import included).",
    )
    archive_max_total_bytes: int = Field(
        1024 * 1024 * 1024,
        description="Largest total an imported course archive may unpack to (all its files).",
    )
    archive_max_ratio: float = Field(
        100.0,
        description=(
            "Largest ratio of an imported archive's unpacked size to its own size; real "
            "courses stay far below, zip bombs far above."
        ),
    )
    page_size: int = Field(20, description="Default page size of lists.")
    max_page_size: int = Field(100, description="Largest page a client may ask for.")
    read_cache_ttl: int = Field(
        3600,
        description=(
            "Seconds a cached read (course, outline, membership, progress, catalog page) is "
            "kept. Writes invalidate what they change at once; the TTL only bounds memory."
        ),
    )
    overdue_attempts_interval_seconds: float = Field(
        60,
        description=(
            "How often quiz attempts whose time is up are closed and graded in the "
            "background (they are also closed by the learner's next action); 0 turns it off."
        ),
    )
