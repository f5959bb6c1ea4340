from __future__ import annotations

import io
import random
import stat
import wave
from pathlib import Path

import httpx
import lameenc
import pytest
from cryptography import x509
from PIL import Image

from twinwork.kit.content_credentials import (
    ContentCredentialsError,
    Credentials,
    HowMade,
    NoContentCredentials,
    UnsupportedMediaType,
    ValidationState,
    _load_identity,
    manifest_hash,
    new_identity,
    read,
    sign,
    trust_anchor_pem,
)

CLAIM = Credentials(
    creator_name="Ana Lima",
    creator_handle="@ana",
    model_name="ana-voice",
    model_version="3",
    how_made=HowMade.AI_GENERATED,
    generation_id="gen_01HZX",
    certificate_url="https://twinwork.example/certificates/gen_01HZX",
)


def _image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    # Noise-free but not flat, so a flipped byte in the middle changes real pixel data.
    image = Image.linear_gradient("L").resize((32, 32)).convert("RGB")
    image.save(buffer, fmt)
    return buffer.getvalue()


def _samples(count: int) -> bytes:
    # Non-periodic, so any 16 bytes of it occur once in the file.
    return random.Random(count).randbytes(count * 2)


def _wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(_samples(2000))
    return buffer.getvalue()


def _mp3() -> bytes:
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(64)
    encoder.set_in_sample_rate(8000)
    encoder.set_channels(1)
    encoder.set_quality(7)
    return bytes(encoder.encode(_samples(8000)) + encoder.flush())


MEDIA = {
    "image/png": lambda: _image("PNG"),
    "image/jpeg": lambda: _image("JPEG"),
    "image/webp": lambda: _image("WEBP"),
    "audio/wav": _wav,
    "audio/mpeg": _mp3,
}


@pytest.mark.parametrize("mime_type", sorted(MEDIA))
def test_signed_file_is_trusted_and_names_creator_source_and_no_training(mime_type: str) -> None:
    signed = sign(MEDIA[mime_type](), mime_type, CLAIM)

    report = read(signed, mime_type)

    assert report.state is ValidationState.TRUSTED, report.failures
    assert report.creator_name == "Ana Lima"
    assert report.digital_source_type == "trainedAlgorithmicMedia"
    for label in ("c2pa.training-mining", "cawg.training-mining"):
        uses = report.training_mining(label)
        assert uses and set(uses.values()) == {"notAllowed"}, label
    work = report.assertion("stds.schema-org.CreativeWork")
    assert work is not None
    assert work["url"] == CLAIM.certificate_url
    assert work["author"][0]["identifier"] == "@ana"
    assert report.manifest_hash and report.manifest_hash.startswith("sha256:")


def test_hybrid_work_is_a_composite_with_trained_media_edited_by_the_freelancer() -> None:
    claim = Credentials(**{**CLAIM.__dict__, "how_made": HowMade.HUMAN_EDITED})
    report = read(sign(_image("PNG"), "image/png", claim), "image/png")
    assert report.digital_source_type == "compositeWithTrainedAlgorithmicMedia"
    actions = report.assertion("c2pa.actions.v2")
    assert actions is not None
    assert [a["action"] for a in actions["actions"]] == ["c2pa.created", "c2pa.edited"]


@pytest.mark.parametrize("mime_type", ["image/png", "image/jpeg", "audio/wav", "audio/mpeg"])
def test_a_file_altered_after_signing_fails_validation(mime_type: str) -> None:
    original = MEDIA[mime_type]()
    signed = bytearray(sign(original, mime_type, CLAIM))
    # Flip one byte of the media itself (the middle of the original: pixels or samples).
    marker = original[len(original) // 2 : len(original) // 2 + 16]
    assert signed.count(marker) == 1
    signed[signed.index(marker) + 8] ^= 0x5A

    report = read(bytes(signed), mime_type)

    assert report.state is ValidationState.INVALID
    assert report.failures


def test_a_file_signed_under_another_ca_is_intact_but_not_trusted() -> None:
    stranger = new_identity("someone else")
    signed = sign(_image("PNG"), "image/png", CLAIM, identity=stranger)

    report = read(signed, "image/png")

    assert report.state is ValidationState.VALID
    assert "signingCredential.untrusted" in report.failures


def test_a_file_is_trusted_against_the_anchor_its_installation_publishes() -> None:
    other = new_identity("another twinwork")
    signed = sign(_image("PNG"), "image/png", CLAIM, identity=other)

    report = read(signed, "image/png", trust_anchor_pem=other.ca_pem)

    assert report.state is ValidationState.TRUSTED
    assert read(signed, "image/png").state is ValidationState.VALID


async def test_the_trust_anchor_is_published(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/v1/certificates/content-credentials-anchor")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/x-pem-file")
    assert answer.text == trust_anchor_pem()


def test_manifest_hash_is_stable_and_differs_between_signings() -> None:
    first = sign(_image("PNG"), "image/png", CLAIM)
    second = sign(_image("PNG"), "image/png", CLAIM)
    assert manifest_hash(first, "image/png") == manifest_hash(first, "image/png")
    assert manifest_hash(first, "image/png") != manifest_hash(second, "image/png")


def test_x_wav_is_accepted_as_wav() -> None:
    signed = sign(_wav(), "audio/x-wav", CLAIM)
    assert read(signed, "audio/x-wav").state is ValidationState.TRUSTED


def test_unsupported_types_are_refused_with_the_supported_list() -> None:
    with pytest.raises(UnsupportedMediaType, match="image/png") as caught:
        sign(b"GIF89a", "image/gif", CLAIM)
    assert caught.value.status_code == 415


def test_a_file_without_credentials_says_so() -> None:
    with pytest.raises(NoContentCredentials):
        read(_image("PNG"), "image/png")


def test_trust_anchor_is_a_ca_certificate() -> None:
    anchor = x509.load_pem_x509_certificate(trust_anchor_pem().encode())
    constraints = anchor.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert constraints.ca


def test_identity_is_made_once_private_to_its_owner_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "c2pa.pem"
    first = _load_identity(path)
    _load_identity.cache_clear()
    second = _load_identity(path)
    assert first == second
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # The CA's private key is not kept: only the leaf's.
    assert path.read_text().count("PRIVATE KEY-----") == 2


def test_bytes_that_are_not_the_named_type_are_refused_not_signed() -> None:
    with pytest.raises(ContentCredentialsError, match="could not be signed"):
        sign(_image("PNG"), "audio/wav", CLAIM)
