"""The platform's Ed25519 signing key: certificates and erasure receipts are signed with it so
anyone can check them offline with the public key alone.

A document is signed over its canonical JSON (sorted keys, no whitespace, UTF-8), so the same
object always yields the same bytes whoever serialises it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from twinwork.config import get_settings

ALGORITHM = "Ed25519"


def canonical_json(document: Any) -> bytes:
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class PlatformKey:
    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def public_key_b64(self) -> str:
        raw = self.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return base64.b64encode(raw).decode()

    @property
    def public_key_pem(self) -> str:
        return self.public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    @property
    def key_id(self) -> str:
        """A short fingerprint, so a document names the key that signed it."""
        return sha256_hex(base64.b64decode(self.public_key_b64))[:16]

    def sign(self, document: Any) -> str:
        return base64.b64encode(self.private.sign(canonical_json(document))).decode()


def verify_signature(public_key_b64: str, document: Any, signature_b64: str) -> bool:
    """True only for a well-formed signature by this key over exactly this document."""
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
        public.verify(base64.b64decode(signature_b64, validate=True), canonical_json(document))
    except (InvalidSignature, ValueError, TypeError, RecursionError):
        return False
    return True


@lru_cache(maxsize=4)
def _load_key(path: Path) -> PlatformKey:
    if not path.exists():
        _create_key(path)
    private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return PlatformKey(private)


def _create_key(path: Path) -> None:
    """Generate a key and put it at ``path``, unless another process puts one there first."""
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    publish_secret_once(path, pem)


def publish_secret_once(path: Path, data: bytes) -> None:
    """Put a secret (a private key) at ``path`` unless another process got there first.

    The file gets a name no other process uses, is created owner-only (never readable by
    others, not even for a moment) and is synced to disk before it is published: nobody reads
    a half-written secret, not even after a crash. It is published with a hard link rather
    than os.replace: the link fails when the file exists, so of processes generating at once
    the first to publish wins and every other one reads its secret. Replacing would let each
    overwrite the last, and what a process signed before being overwritten would never
    verify again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        else:
            _sync_directory(path.parent)
    finally:
        os.unlink(tmp)


def _sync_directory(directory: Path) -> None:
    """Make a new directory entry durable, so a crash cannot lose a key already used."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def platform_key() -> PlatformKey:
    """``TWINWORK_SIGNING_KEY_FILE`` if set, else a key generated once in the data dir."""
    settings = get_settings()
    path = settings.signing_key_file or settings.resolved_data_dir / "signing-key.pem"
    return _load_key(path.expanduser().resolve())


def signed_document(document_id: str, payload: dict[str, Any], signature: str) -> dict[str, Any]:
    """A signed document as the API returns it: everything needed to check it offline."""
    key = platform_key()
    return {
        "id": document_id,
        "payload": payload,
        "signature": signature,
        "algorithm": ALGORITHM,
        "key_id": payload.get("key_id", key.key_id),
        "public_key": key.public_key_b64,
    }
