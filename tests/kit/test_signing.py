from __future__ import annotations

import base64
from pathlib import Path

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
