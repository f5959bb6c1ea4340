from __future__ import annotations

import base64
import multiprocessing
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from twinwork.kit.signing import _load_key, canonical_json, platform_key, verify_signature


def test_canonical_json_ignores_key_order_and_whitespace() -> None:
    assert canonical_json({"b": 1, "a": [1, "é"]}) == canonical_json({"a": [1, "é"], "b": 1})
    assert canonical_json({"a": 1}) == b'{"a":1}'


def test_signature_verifies_offline_with_the_public_key_alone() -> None:
    key = platform_key()
    document = {"owner": "Ana", "content_sha256": "ab" * 32}
    signature = key.sign(document)
    # What a third party does with nothing but the published key:
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key.public_key_b64))
    public.verify(base64.b64decode(signature), canonical_json(document))
    assert verify_signature(key.public_key_b64, document, signature)


def test_altered_documents_and_garbage_signatures_do_not_verify() -> None:
    key = platform_key()
    document = {"owner": "Ana", "price_amount": 400}
    signature = key.sign(document)
    assert not verify_signature(key.public_key_b64, {**document, "price_amount": 1}, signature)
    assert not verify_signature(key.public_key_b64, document, "not base64!")
    assert not verify_signature("short", document, signature)


def test_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    first = _load_key(path)
    _load_key.cache_clear()
    second = _load_key(path)
    assert first.public_key_b64 == second.public_key_b64
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_a_generated_key_is_private_from_its_first_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With no umask to help, every write of the key must go to a file only its owner reads.
    modes: list[int] = []
    real_write = os.write

    def watched_write(fd: int, data: bytes) -> int:
        if b"PRIVATE KEY" in bytes(data):
            modes.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", watched_write)
    previous = os.umask(0)
    try:
        key = _load_key.__wrapped__(tmp_path / "key.pem")
    finally:
        os.umask(previous)
    assert modes and set(modes) == {0o600}
    assert stat.S_IMODE((tmp_path / "key.pem").stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["key.pem"]  # no temporary file left
    assert _load_key.__wrapped__(tmp_path / "key.pem").public_key_b64 == key.public_key_b64


def _first_use(path: str, start: Any, results: Any) -> None:
    start.wait()
    try:
        results.put(_load_key.__wrapped__(Path(path)).public_key_b64)
    except Exception as exc:  # reported to the test, which shows it
        results.put(f"{type(exc).__name__}: {exc}")


def test_processes_generating_the_key_at_once_all_use_the_one_kept(tmp_path: Path) -> None:
    """Forked workers of one server (gunicorn, a huey consumer) start with the same memory
    and meet an empty data dir at the same moment."""
    context = multiprocessing.get_context("fork")
    for attempt in range(8):
        path = tmp_path / f"round-{attempt}" / "key.pem"
        start, results = context.Barrier(4), context.Queue()
        workers = [
            context.Process(target=_first_use, args=(str(path), start, results)) for _ in range(4)
        ]
        for worker in workers:
            worker.start()
        keys = [results.get(timeout=60) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
        kept = _load_key.__wrapped__(path).public_key_b64
        assert keys == [kept] * 4, keys
        assert [p.name for p in path.parent.iterdir()] == ["key.pem"]
