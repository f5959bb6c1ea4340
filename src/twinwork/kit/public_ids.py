"""Opaque public ids: what every URL and API answer shows instead of a row's sequential key.

A row keeps its integer primary key inside the product (foreign keys, the ledger, joins). At
the edge it is shown as ``public_id(kind, row_id)``: one AES block holding a tag for the kind of
row and the key, encrypted with a key derived from the installation's secret, written as 26
characters of lower-case base32. Without the secret the ids cannot be guessed, counted or
walked, and one kind's id is refused where another kind is expected (an order's id in a gig's
URL names nothing). Every existing row has one the moment it exists: nothing is stored, so
nothing can be missing or duplicated, and reading one costs no query.

The key comes from ``TWINWORK_PUBLIC_ID_KEY`` when set, else from the secret key (which every
host of a scaled install already shares). Pin ``TWINWORK_PUBLIC_ID_KEY`` to the old secret before
rotating the secret key, or every link anyone kept changes.

Path parameters, request bodies and answers declare the kind in their type::

    GigId = Annotated[int, PublicIdIn("gig")]
    async def get_gig(gig_id: GigId, ...)     # "/gigs/{gig_id}": a public id, decoded
    class GigOut(BaseModel):
        id: Annotated[int, PublicIdOut("gig")]  # the answer writes the public id

An id that does not decode as its kind becomes ``NO_ROW`` (0, never a primary key), so the
lookup that follows answers 404 exactly as for a row that does not exist.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, ClassVar, cast

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from twinwork.config import get_settings

NO_ROW = 0
LENGTH = 26
PATTERN = f"^[a-z2-7]{{{LENGTH}}}$"
_FORMAT = re.compile(PATTERN)
_TAG_BYTES = 8
_MAX_ROW_ID = 2**63 - 1

KINDS = frozenset(
    {
        "application",
        "attachment",
        "certificate",
        "conversation",
        "delivery",
        "dispute",
        "draft",
        "erasure",
        "faq",
        "file",
        "generation",
        "gig",
        "grant",
        "handover",
        "image",
        "invoice",
        "licence",
        "message",
        "model",
        "notification",
        "offer",
        "order",
        "payment",
        "payout",
        "report",
        "review",
        "round",
        "run",
        "sample",
        "subscription",
        "token",
        "transaction",
        "user",
        "version",
        "webhook",
    }
)


class UnknownKind(ValueError):
    pass


@lru_cache(maxsize=8)
def _cipher_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"twinwork public ids v1", hashlib.sha256).digest()[:16]


@lru_cache(maxsize=64)
def _tag(kind: str) -> bytes:
    if kind not in KINDS:
        raise UnknownKind(f"no public ids for {kind!r}")
    return hashlib.sha256(b"twinwork kind " + kind.encode()).digest()[:_TAG_BYTES]


def _key() -> bytes:
    settings = get_settings()
    return _cipher_key(settings.public_id_key or settings.resolved_secret_key)


def public_id(kind: str, row_id: int) -> str:
    """The public id of row ``row_id`` of ``kind``."""
    if not 0 < row_id <= _MAX_ROW_ID:
        raise ValueError(f"{row_id!r} is not a row id")
    block = _tag(kind) + row_id.to_bytes(8, "big")
    encryptor = Cipher(algorithms.AES(_key()), modes.ECB()).encryptor()  # one block: a PRP
    sealed = encryptor.update(block) + encryptor.finalize()
    return base64.b32encode(sealed).decode().rstrip("=").lower()


def row_id(kind: str, value: object) -> int:
    """The row ``value`` names as ``kind``, or ``NO_ROW`` when it names none (any other text,
    another kind's id, an id from another installation)."""
    if not isinstance(value, str) or not _FORMAT.match(value):
        _tag(kind)  # an unknown kind is a programming error, whatever the input
        return NO_ROW
    sealed = base64.b32decode(value.upper() + "======")
    decryptor = Cipher(algorithms.AES(_key()), modes.ECB()).decryptor()
    block = decryptor.update(sealed) + decryptor.finalize()
    if not hmac.compare_digest(block[:_TAG_BYTES], _tag(kind)):
        return NO_ROW
    found = int.from_bytes(block[_TAG_BYTES:], "big")
    return found if 0 < found <= _MAX_ROW_ID else NO_ROW


def looks_public(value: object) -> bool:
    """Whether ``value`` has the form of a public id (of some kind, of some installation)."""
    return isinstance(value, str) and _FORMAT.match(value) is not None


def optional_public_id(kind: str, value: int | None) -> str | None:
    return None if value is None else public_id(kind, value)


_SCHEMA = {"type": "string", "pattern": PATTERN, "minLength": LENGTH, "maxLength": LENGTH}


@dataclass(frozen=True)
class PublicIdIn:
    """Type metadata: a public id in a path, query or body, decoded to the row id (``NO_ROW``
    when it names none). A raw integer is refused: only the public form names a row from
    outside. ``gig_id: Annotated[int, PublicIdIn("gig")]``."""

    kind: str

    def __post_init__(self) -> None:
        _tag(self.kind)

    def decode(self, value: object) -> int | None:
        if value is None:
            return None  # an optional id left out
        return row_id(self.kind, value)

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(self.decode, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**_SCHEMA, "description": f"The {self.kind}'s public id"}


@dataclass(frozen=True)
class PublicIdOut:
    """Type metadata: a row id (or None) written as its public id in an answer."""

    kind: str

    def __post_init__(self) -> None:
        _tag(self.kind)

    def encode(self, value: int | None) -> str | None:
        return optional_public_id(self.kind, value)

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        serialization = core_schema.plain_serializer_function_ser_schema(
            self.encode, when_used="always"
        )
        return cast(core_schema.CoreSchema, {**handler(source), "serialization": serialization})

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        described = {**_SCHEMA, "description": f"The {self.kind}'s public id"}
        if schema.get("type") == "nullable":
            return {"anyOf": [described, {"type": "null"}]}
        return described


class PublicIdMixin:
    """Gives a model ``public_id``, the form of its key that pages and answers show."""

    __public_kind__: ClassVar[str]

    @property
    def public_id(self) -> str:
        return public_id(self.__public_kind__, int(self.id))  # type: ignore[attr-defined]

    @property
    def reference(self) -> str:
        """What a page calls the row ("Order #DOWNRMAT"): the public id's first eight
        characters, which tell rows apart at a glance without counting them."""
        return self.public_id[:8].upper()


def jinja_public_id(value: int | None, kind: str) -> str:
    """``{{ order.gig_id|public_id("gig") }}``: a foreign key in a template's link."""
    if value is None:
        return ""
    return public_id(kind, int(value))


# One input type (path, query, body) and one answer type per kind of row.
ApplicationId = Annotated[int, PublicIdIn("application")]
ApplicationIdOut = Annotated[int, PublicIdOut("application")]
AttachmentId = Annotated[int, PublicIdIn("attachment")]
AttachmentIdOut = Annotated[int, PublicIdOut("attachment")]
CertificateId = Annotated[int, PublicIdIn("certificate")]
CertificateIdOut = Annotated[int, PublicIdOut("certificate")]
ConversationId = Annotated[int, PublicIdIn("conversation")]
ConversationIdOut = Annotated[int, PublicIdOut("conversation")]
DeliveryId = Annotated[int, PublicIdIn("delivery")]
DeliveryIdOut = Annotated[int, PublicIdOut("delivery")]
DisputeId = Annotated[int, PublicIdIn("dispute")]
DisputeIdOut = Annotated[int, PublicIdOut("dispute")]
DraftId = Annotated[int, PublicIdIn("draft")]
DraftIdOut = Annotated[int, PublicIdOut("draft")]
ErasureId = Annotated[int, PublicIdIn("erasure")]
ErasureIdOut = Annotated[int, PublicIdOut("erasure")]
FaqId = Annotated[int, PublicIdIn("faq")]
FaqIdOut = Annotated[int, PublicIdOut("faq")]
FileId = Annotated[int, PublicIdIn("file")]
FileIdOut = Annotated[int, PublicIdOut("file")]
GenerationId = Annotated[int, PublicIdIn("generation")]
GenerationIdOut = Annotated[int, PublicIdOut("generation")]
GigId = Annotated[int, PublicIdIn("gig")]
GigIdOut = Annotated[int, PublicIdOut("gig")]
GrantId = Annotated[int, PublicIdIn("grant")]
GrantIdOut = Annotated[int, PublicIdOut("grant")]
HandoverId = Annotated[int, PublicIdIn("handover")]
HandoverIdOut = Annotated[int, PublicIdOut("handover")]
ImageId = Annotated[int, PublicIdIn("image")]
ImageIdOut = Annotated[int, PublicIdOut("image")]
InvoiceId = Annotated[int, PublicIdIn("invoice")]
InvoiceIdOut = Annotated[int, PublicIdOut("invoice")]
LicenceId = Annotated[int, PublicIdIn("licence")]
LicenceIdOut = Annotated[int, PublicIdOut("licence")]
MessageId = Annotated[int, PublicIdIn("message")]
MessageIdOut = Annotated[int, PublicIdOut("message")]
ModelId = Annotated[int, PublicIdIn("model")]
ModelIdOut = Annotated[int, PublicIdOut("model")]
NotificationId = Annotated[int, PublicIdIn("notification")]
NotificationIdOut = Annotated[int, PublicIdOut("notification")]
OfferId = Annotated[int, PublicIdIn("offer")]
OfferIdOut = Annotated[int, PublicIdOut("offer")]
OrderId = Annotated[int, PublicIdIn("order")]
OrderIdOut = Annotated[int, PublicIdOut("order")]
PaymentId = Annotated[int, PublicIdIn("payment")]
PaymentIdOut = Annotated[int, PublicIdOut("payment")]
PayoutId = Annotated[int, PublicIdIn("payout")]
PayoutIdOut = Annotated[int, PublicIdOut("payout")]
ReportId = Annotated[int, PublicIdIn("report")]
ReportIdOut = Annotated[int, PublicIdOut("report")]
ReviewId = Annotated[int, PublicIdIn("review")]
ReviewIdOut = Annotated[int, PublicIdOut("review")]
RoundId = Annotated[int, PublicIdIn("round")]
RoundIdOut = Annotated[int, PublicIdOut("round")]
RunId = Annotated[int, PublicIdIn("run")]
RunIdOut = Annotated[int, PublicIdOut("run")]
SampleId = Annotated[int, PublicIdIn("sample")]
SampleIdOut = Annotated[int, PublicIdOut("sample")]
SubscriptionId = Annotated[int, PublicIdIn("subscription")]
SubscriptionIdOut = Annotated[int, PublicIdOut("subscription")]
TokenId = Annotated[int, PublicIdIn("token")]
TokenIdOut = Annotated[int, PublicIdOut("token")]
TransactionId = Annotated[int, PublicIdIn("transaction")]
TransactionIdOut = Annotated[int, PublicIdOut("transaction")]
UserId = Annotated[int, PublicIdIn("user")]
UserIdOut = Annotated[int, PublicIdOut("user")]
VersionId = Annotated[int, PublicIdIn("version")]
VersionIdOut = Annotated[int, PublicIdOut("version")]
WebhookId = Annotated[int, PublicIdIn("webhook")]
WebhookIdOut = Annotated[int, PublicIdOut("webhook")]
