"""C2PA content credentials for generated images and audio.

Every purchased image or audio file carries a C2PA manifest signed by the platform: who made it
(the freelancer), with which model version, how (AI-generated or AI draft refined by a human),
the generation it came from, and that it may not be used for AI training or data mining.

The platform signs with its own small PKI: a CA certificate, published as the trust anchor,
and a leaf certificate with its EC P-256 key. All three are made once in the data dir and kept
in one PEM file, so they are created (and found) as a set. The CA's private key is thrown away
once the leaf is issued: a copied data dir lets someone sign as the leaf, never mint another
identity the anchor would vouch for.

Nothing here touches the network: no timestamp authority, no remote manifests, no OCSP. Without
a timestamp a manifest stays valid while the leaf certificate does, hence the long validity.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import c2pa  # type: ignore[import-untyped]
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from twinwork.config import get_settings
from twinwork.kit.errors import DomainError
from twinwork.kit.signing import publish_secret_once

CLAIM_GENERATOR = "twinwork"
IDENTITY_FILE = "content-credentials.pem"
# Long-lived because manifests carry no timestamp: they validate only while the leaf is valid.
LEAF_VALIDITY = datetime.timedelta(days=20 * 365)
CA_VALIDITY = datetime.timedelta(days=30 * 365)

SUPPORTED_MIME_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/webp", "audio/wav", "audio/mpeg"}
)
_MIME_ALIASES = {
    "image/jpg": "image/jpeg",
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/mp3": "audio/mpeg",
}

IPTC_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/"
TRAINING_MINING_LABELS = ("c2pa.training-mining", "cawg.training-mining")
_TRAINING_MINING_USES = ("ai_generative_training", "ai_inference", "ai_training", "data_mining")
CREATIVE_WORK_LABEL = "stds.schema-org.CreativeWork"
ACTIONS_LABEL = "c2pa.actions.v2"

# Reading never fetches: no remote manifest, no OCSP responder.
_OFFLINE_VERIFY = {"remote_manifest_fetch": False, "ocsp_fetch": False}


class ContentCredentialsError(DomainError):
    status_code = 422
    title = "Content credentials failed"
    type_slug = "content-credentials"


class UnsupportedMediaType(ContentCredentialsError):
    status_code = 415
    title = "Unsupported media type"
    type_slug = "unsupported-media-type"


class NoContentCredentials(ContentCredentialsError):
    title = "No content credentials"
    type_slug = "no-content-credentials"


class HowMade(StrEnum):
    """How a file was made, as a buyer chose it; each maps to an IPTC digital source type."""

    AI_GENERATED = "AI-generated"
    # An AI draft refined by the freelancer (a hybrid order).
    HUMAN_EDITED = "human edited"


class ValidationState(StrEnum):
    TRUSTED = "trusted"  # intact and signed under the platform's anchor
    VALID = "valid"  # intact, but signed by someone the anchor does not vouch for
    INVALID = "invalid"  # altered after signing, or unreadable credentials


@dataclass(frozen=True)
class Credentials:
    """What a manifest says about one generated file."""

    creator_name: str
    creator_handle: str
    model_name: str
    model_version: str
    how_made: HowMade
    generation_id: str
    certificate_url: str


@dataclass(frozen=True)
class ManifestReport:
    state: ValidationState
    label: str | None
    assertions: tuple[dict[str, Any], ...]
    manifest_hash: str | None
    # Validation failure codes (e.g. "assertion.dataHash.mismatch") or the reader's error.
    failures: tuple[str, ...] = field(default_factory=tuple)

    def assertion(self, label: str) -> dict[str, Any] | None:
        """The data of the first assertion with this label, if any."""
        for item in self.assertions:
            if item.get("label") == label:
                data = item.get("data")
                return data if isinstance(data, dict) else None
        return None

    @property
    def creator_name(self) -> str | None:
        authors = (self.assertion(CREATIVE_WORK_LABEL) or {}).get("author") or []
        return str(authors[0].get("name")) if authors else None

    @property
    def digital_source_type(self) -> str | None:
        """The IPTC term of the creating action, without its namespace."""
        for action in (self.assertion(ACTIONS_LABEL) or {}).get("actions", []):
            if action.get("action") == "c2pa.created":
                source = str(action.get("digitalSourceType", ""))
                return source.removeprefix(IPTC_SOURCE_TYPE) or None
        return None

    def training_mining(self, label: str) -> dict[str, str]:
        """Use per entry under a training-and-data-mining label: {"c2pa.ai_training": ...}."""
        entries = (self.assertion(label) or {}).get("entries") or {}
        return {name: str(entry.get("use")) for name, entry in entries.items()}


# --- the platform's signing identity ---------------------------------------------------------


@dataclass(frozen=True)
class SigningIdentity:
    ca_pem: str
    leaf_pem: str
    key_pem: str

    @property
    def reader_settings(self) -> str:
        return _reader_settings(self.ca_pem)


def _reader_settings(trust_anchor_pem: str) -> str:
    return json.dumps(
        {
            "verify": {**_OFFLINE_VERIFY, "verify_trust": True},
            "trust": {"trust_anchors": trust_anchor_pem},
        }
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "twinwork"),
        ]
    )


def _key_usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def new_identity(common_name: str = "twinwork content credentials") -> SigningIdentity:
    """A fresh CA and a leaf it issued, fit for C2PA claim signing (public for tests)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"{common_name} root")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(sign=False, ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    # C2PA's trust profile wants digitalSignature, an EKU it accepts (emailProtection) and both
    # key identifiers; without any of them a reader reports the signer untrusted.
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + LEAF_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign=True, ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key_pem = leaf_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return SigningIdentity(ca_pem=_pem(ca), leaf_pem=_pem(leaf), key_pem=key_pem)


def _bundle(identity: SigningIdentity) -> bytes:
    # Leaf first, then the CA: the order the loader expects.
    return (identity.key_pem + identity.leaf_pem + identity.ca_pem).encode()


def _unbundle(path: Path) -> SigningIdentity:
    data = path.read_bytes()
    certs = x509.load_pem_x509_certificates(data)
    key = serialization.load_pem_private_key(data, password=None)
    if len(certs) != 2 or not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path} must hold an EC private key, its leaf and the CA certificate")
    leaf, ca = certs
    if leaf.public_key() != key.public_key():
        raise ValueError(f"{path}: the private key does not match the leaf certificate")
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return SigningIdentity(ca_pem=_pem(ca), leaf_pem=_pem(leaf), key_pem=key_pem)


@lru_cache(maxsize=4)
def _load_identity(path: Path) -> SigningIdentity:
    if not path.exists():
        publish_secret_once(path, _bundle(new_identity()))
    return _unbundle(path)


def platform_identity() -> SigningIdentity:
    """The platform's C2PA identity, made once in the data dir, loaded once per process."""
    path = get_settings().resolved_data_dir / IDENTITY_FILE
    return _load_identity(path.expanduser().resolve())


def trust_anchor_pem() -> str:
    """The CA certificate to publish: readers that trust it see our files as "Trusted"."""
    return platform_identity().ca_pem


# --- signing and reading ---------------------------------------------------------------------


def normalise_mime_type(mime_type: str) -> str:
    """The canonical type for a supported media type; anything else is refused."""
    base = mime_type.split(";", 1)[0].strip().lower()
    base = _MIME_ALIASES.get(base, base)
    if base not in SUPPORTED_MIME_TYPES:
        supported = ", ".join(sorted(SUPPORTED_MIME_TYPES))
        raise UnsupportedMediaType(
            f"Content credentials cannot be attached to {mime_type!r} files; "
            f"supported types are {supported}."
        )
    return base


def _source_type(how_made: HowMade) -> str:
    terms = {
        HowMade.AI_GENERATED: "trainedAlgorithmicMedia",
        # IPTC: "media that combines trained algorithmic media with human-created elements".
        HowMade.HUMAN_EDITED: "compositeWithTrainedAlgorithmicMedia",
    }
    return IPTC_SOURCE_TYPE + terms[how_made]


def _actions(claim: Credentials) -> dict[str, Any]:
    actions: list[dict[str, Any]] = [
        {
            "action": "c2pa.created",
            "digitalSourceType": _source_type(claim.how_made),
            "softwareAgent": {"name": claim.model_name, "version": claim.model_version},
        }
    ]
    if claim.how_made is HowMade.HUMAN_EDITED:
        actions.append(
            {
                "action": "c2pa.edited",
                "digitalSourceType": IPTC_SOURCE_TYPE + "humanEdits",
                "description": f"Refined by {claim.creator_name}",
            }
        )
    return {"actions": actions}


def _training_mining(label: str) -> dict[str, Any]:
    prefix = label.split(".", 1)[0]
    return {"entries": {f"{prefix}.{use}": {"use": "notAllowed"} for use in _TRAINING_MINING_USES}}


def manifest_definition(claim: Credentials) -> dict[str, Any]:
    """The manifest JSON that ``sign`` embeds."""
    creative_work = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "author": [
            {"@type": "Person", "name": claim.creator_name, "identifier": claim.creator_handle}
        ],
        "identifier": claim.generation_id,
        "url": claim.certificate_url,
    }
    assertions: list[dict[str, Any]] = [
        {"label": ACTIONS_LABEL, "data": _actions(claim)},
        {"label": CREATIVE_WORK_LABEL, "data": creative_work},
        # Both labels: the newer CAWG one, and the C2PA one that verify sites still read.
        *({"label": label, "data": _training_mining(label)} for label in TRAINING_MINING_LABELS),
    ]
    return {
        "claim_generator_info": [{"name": CLAIM_GENERATOR}],
        "title": f"{claim.model_name} {claim.model_version}: generation {claim.generation_id}",
        "assertions": assertions,
    }


def sign(
    data: bytes, mime_type: str, claim: Credentials, *, identity: SigningIdentity | None = None
) -> bytes:
    """``data`` with a C2PA manifest for ``claim`` embedded, signed by the platform (or by
    ``identity``, which only tests and a key rotation have a use for)."""
    mime = normalise_mime_type(mime_type)
    identity = identity or platform_identity()
    # A thumbnail would copy the picture into the manifest: nothing a verifier needs.
    context = c2pa.Context.from_dict(
        {"builder": {"thumbnail": {"enabled": False}}, "verify": _OFFLINE_VERIFY}
    )
    signer_info = c2pa.C2paSignerInfo(
        c2pa.C2paSigningAlg.ES256, identity.leaf_pem.encode(), identity.key_pem.encode(), None
    )
    output = io.BytesIO()
    try:
        with c2pa.Signer.from_info(signer_info) as signer:
            builder = c2pa.Builder(manifest_definition(claim), context=context)
            builder.sign(signer, mime, io.BytesIO(data), output)
    except c2pa.C2paError as exc:
        raise ContentCredentialsError(
            f"This {mime} file could not be signed ({exc}); check that it is a complete, "
            "well-formed file of that type."
        ) from exc
    finally:
        context.close()
    return output.getvalue()


def read(data: bytes, mime_type: str, *, trust_anchor_pem: str | None = None) -> ManifestReport:
    """The file's active manifest, validated against the platform's trust anchor (or against
    ``trust_anchor_pem``, the anchor another installation publishes)."""
    try:
        store, detailed = _read_store(data, mime_type, trust_anchor_pem)
    except c2pa.C2paError as exc:
        # Credentials that cannot even be parsed are as good as forged.
        return ManifestReport(ValidationState.INVALID, None, (), None, (str(exc),))
    return _report(store, detailed)


def read_store(
    data: bytes, mime_type: str, *, trust_anchor_pem: str | None = None
) -> dict[str, Any]:
    """The file's manifest store as the c2pa library reads it back (the JSON ``c2patool``
    prints): every manifest, its assertions and the validation results."""
    return _read_store(data, mime_type, trust_anchor_pem)[0]


def _read_store(
    data: bytes, mime_type: str, trust_anchor_pem: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    mime = normalise_mime_type(mime_type)
    settings = (
        platform_identity().reader_settings
        if trust_anchor_pem is None
        else _reader_settings(trust_anchor_pem)
    )
    context = c2pa.Context.from_json(settings)
    try:
        with c2pa.Reader(mime, io.BytesIO(data), None, context) as reader:
            return json.loads(reader.json()), json.loads(reader.detailed_json())
    except c2pa.C2paError.ManifestNotFound as exc:
        raise NoContentCredentials(
            "This file carries no content credentials: it was not signed by twinwork, or its "
            "credentials were stripped. Download the original from your order."
        ) from exc
    finally:
        context.close()


def _report(store: dict[str, Any], detailed: dict[str, Any]) -> ManifestReport:
    label = store.get("active_manifest")
    manifest = store.get("manifests", {}).get(label) or {}
    states = {"Trusted": ValidationState.TRUSTED, "Valid": ValidationState.VALID}
    state = states.get(str(store.get("validation_state")), ValidationState.INVALID)
    results = (store.get("validation_results") or {}).get("activeManifest") or {}
    failures = tuple(str(item.get("code")) for item in results.get("failure", []))
    claim = (detailed.get("manifests", {}).get(label) or {}).get("claim")
    return ManifestReport(
        state=state,
        label=label,
        assertions=tuple(manifest.get("assertions", [])),
        manifest_hash=_claim_hash(label, claim) if label and claim else None,
        failures=failures,
    )


def _claim_hash(label: str, claim: dict[str, Any]) -> str:
    """A fingerprint of the signed claim: its label and the hashes of every assertion it binds.

    Those hashes are read from the claim's own bytes (not re-serialised JSON), and the
    hard-binding assertion among them holds the hash of the media itself, so the fingerprint
    changes if the file, any assertion or the manifest changes, and never across library
    versions that render the JSON differently.
    """
    references = [
        (str(ref["url"]), str(ref["hash"]))
        for key in ("created_assertions", "gathered_assertions", "assertions")
        for ref in claim.get(key) or []
    ]
    document = {"label": label, "alg": claim.get("alg"), "assertions": sorted(references)}
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    return "sha256:" + hashlib.sha256(canonical).hexdigest()


def manifest_hash(data: bytes, mime_type: str) -> str:
    """The fingerprint of the file's active manifest, for a certificate to name."""
    report = read(data, mime_type)
    if report.manifest_hash is None:
        raise ContentCredentialsError(
            "The content credentials of this file are damaged; its manifest cannot be "
            "fingerprinted. Sign the original file again."
        )
    return report.manifest_hash
