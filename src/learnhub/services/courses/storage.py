"""Object storage for course files: local disk by default, any S3-compatible store when
configured. Keys are relative paths like ``courses/<course>/attachments/<id>``."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from learnhub.kit.errors import NotFound
from learnhub.services.courses.config import CoursesSettings

_SAFE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,500}$")


class StoredFileNotFound(NotFound):
    title = "File not found"
    slug = "file-not-found"


@dataclass(frozen=True)
class StoredFile:
    data: bytes
    content_type: str


def check_key(key: str) -> str:
    if not _SAFE_KEY.match(key) or ".." in key.split("/"):
        raise ValueError(f"unsafe storage key {key!r}")
    return key


class ObjectStore(Protocol):
    async def put(self, key: str, data: bytes, *, content_type: str) -> None: ...

    async def get(self, key: str) -> StoredFile: ...

    async def delete(self, key: str) -> None: ...

    async def ping(self) -> None: ...


class LocalObjectStore:
    """Files under one folder; the content type is kept in a sidecar file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        path = self._path(key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(path.name + ".partial")
            temporary.write_bytes(data)
            temporary.replace(path)
            path.with_name(path.name + ".type").write_text(content_type)

        await asyncio.to_thread(write)

    async def get(self, key: str) -> StoredFile:
        path = self._path(key)

        def read() -> StoredFile:
            try:
                data = path.read_bytes()
            except FileNotFoundError as error:
                raise StoredFileNotFound("This file does not exist.") from error
            type_file = path.with_name(path.name + ".type")
            content_type = (
                type_file.read_text() if type_file.exists() else "application/octet-stream"
            )
            return StoredFile(data, content_type)

        return await asyncio.to_thread(read)

    async def delete(self, key: str) -> None:
        path = self._path(key)

        def remove() -> None:
            path.unlink(missing_ok=True)
            path.with_name(path.name + ".type").unlink(missing_ok=True)

        await asyncio.to_thread(remove)

    async def ping(self) -> None:
        await asyncio.to_thread(self.root.mkdir, parents=True, exist_ok=True)


class S3ObjectStore:
    """Any S3-compatible store, through boto3 (run in threads)."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None,
        region: str,
        access_key_id: str | None,
        secret_access_key: str | None,
    ) -> None:
        import boto3

        self.bucket = bucket
        self._client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
        )

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        await asyncio.to_thread(
            self._client.put_object,
            Bucket=self.bucket,
            Key=check_key(key),
            Body=data,
            ContentType=content_type,
        )

    async def get(self, key: str) -> StoredFile:
        from botocore.exceptions import ClientError

        def read() -> StoredFile:
            try:
                response = self._client.get_object(Bucket=self.bucket, Key=check_key(key))
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                    raise StoredFileNotFound("This file does not exist.") from error
                raise
            return StoredFile(
                response["Body"].read(), response.get("ContentType", "application/octet-stream")
            )

        return await asyncio.to_thread(read)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._client.delete_object, Bucket=self.bucket, Key=check_key(key))

    async def ping(self) -> None:
        from botocore.exceptions import ClientError

        def ensure_bucket() -> None:
            try:
                self._client.head_bucket(Bucket=self.bucket)
            except ClientError:
                self._client.create_bucket(Bucket=self.bucket)

        await asyncio.to_thread(ensure_bucket)


def store_from_settings(settings: CoursesSettings, data_dir: Path) -> ObjectStore:
    """The store the courses settings ask for (``LEARNHUB_COURSES_STORAGE``)."""
    if settings.storage == "s3":
        secret = settings.s3_secret_access_key
        return S3ObjectStore(
            settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=secret.get_secret_value() if secret else None,
        )
    return LocalObjectStore(settings.storage_dir or data_dir / "files")
