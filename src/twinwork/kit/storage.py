"""Object storage port: local files by default, any S3-compatible store when configured.

Both sit behind obstore, so the code above this module never learns which one it talks to.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import obstore
from obstore.exceptions import NotFoundError
from obstore.store import LocalStore, S3Store

from twinwork.config import Settings

if TYPE_CHECKING:  # a stub-only type
    from obstore.store import ClientConfig


class ObjectNotFound(KeyError):
    pass


@dataclass
class ObjectStorage:
    store: Any
    description: str

    async def put(self, key: str, data: bytes) -> None:
        await obstore.put_async(self.store, key, data)

    async def get(self, key: str) -> bytes:
        try:
            result = await obstore.get_async(self.store, key)
        except (FileNotFoundError, NotFoundError) as exc:
            raise ObjectNotFound(key) from exc
        return bytes(await result.bytes_async())

    async def delete(self, key: str) -> None:
        try:
            await obstore.delete_async(self.store, key)
        except (FileNotFoundError, NotFoundError):
            pass

    async def exists(self, key: str) -> bool:
        try:
            await obstore.head_async(self.store, key)
        except (FileNotFoundError, NotFoundError):
            return False
        return True

    async def list(self, prefix: str = "") -> list[str]:
        keys: list[str] = []
        async for batch in obstore.list(self.store, prefix or None):
            keys.extend(str(item["path"]) for item in batch)
        return sorted(keys)


def make_storage(settings: Settings) -> ObjectStorage:
    url = settings.resolved_storage_url
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        options: dict[str, Any] = {"region": settings.s3_region}
        if settings.s3_endpoint:
            options["endpoint"] = settings.s3_endpoint
        if settings.s3_access_key_id:
            options["access_key_id"] = settings.s3_access_key_id
            options["secret_access_key"] = settings.s3_secret_access_key
        client_options: ClientConfig | None = (
            {"allow_http": True} if settings.s3_allow_http else None
        )
        prefix = parsed.path.strip("/") or None
        store = S3Store(parsed.netloc, prefix=prefix, client_options=client_options, **options)
        return ObjectStorage(store, f"s3://{parsed.netloc}/{prefix or ''}")
    if parsed.scheme in ("file", ""):
        root = Path(parsed.path if parsed.scheme else url)
        root.mkdir(parents=True, exist_ok=True)
        return ObjectStorage(LocalStore(prefix=root), str(root))
    raise ValueError(f"unsupported TWINWORK_STORAGE_URL scheme: {parsed.scheme!r}")
