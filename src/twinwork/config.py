"""Settings read from ``TWINWORK_*`` environment variables, with embedded defaults.

The embedded default needs no server at all: SQLite, huey on SQLite and local files, all under
the data dir. Pointing the URLs at PostgreSQL, Redis and an S3-compatible store scales out with
the same code.
"""

from __future__ import annotations

import secrets
from functools import cached_property, lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TWINWORK_", extra="ignore")

    data_dir: Path = Path("./var")
    database_url: str | None = None
    queue_url: str | None = None
    storage_url: str | None = None
    # S3-compatible storage (used when storage_url starts with s3://)
    s3_endpoint: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    s3_allow_http: bool = False

    secret_key: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    cookie_secure: bool = False
    session_days: int = 14
    # "limits" notation; memory:// in one process, redis://... when several serve the site
    login_rate_limit: str = "10/minute"
    rate_limit_storage_url: str = "memory://"
    search_page_size: int = Field(default=12, ge=1, le=100)
    max_request_bytes: int = 1_000_000
    # Run the job consumer inside `twinwork serve` (the embedded default).
    inline_worker: bool = True
    worker_threads: int = 2

    @property
    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite+aiosqlite:///{self.resolved_data_dir / 'twinwork.db'}"

    @property
    def resolved_queue_url(self) -> str:
        return self.queue_url or f"sqlite:///{self.resolved_data_dir / 'jobs.db'}"

    @property
    def resolved_storage_url(self) -> str:
        return self.storage_url or f"file://{self.resolved_data_dir / 'objects'}"

    @cached_property
    def resolved_secret_key(self) -> str:
        """The signing secret; generated once and kept in the data dir when not set. Cached:
        every request signs or checks a CSRF token with it."""
        if self.secret_key:
            return self.secret_key
        path = self.resolved_data_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Accept plain ``postgresql://`` and ``sqlite://`` URLs and pick the async drivers."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
