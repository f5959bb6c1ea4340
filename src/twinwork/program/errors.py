"""The creation program's errors, each with its status and what to do next."""

from __future__ import annotations

from twinwork.kit.errors import DomainError


class ProgramRequired(DomainError):
    status_code = 402
    title = "Creation program membership required"
    type_slug = "program-required"


class AdmissionRequired(DomainError):
    status_code = 403
    title = "Admission to the creation program required"
    type_slug = "admission-required"


class SeatOfferExpired(DomainError):
    status_code = 410
    title = "Seat offer expired"
    type_slug = "seat-offer-expired"
