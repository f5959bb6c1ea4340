"""The assistant's tools: every fact in a reply comes from one of these, read from the
database when the buyer asks, never from a model's memory.

Each tool returns a ``ToolResult``: the sentences it contributes and the data they were made
from. The verifier (``verifier.py``) checks the finished reply against that data, so a
number or date can only reach the buyer if a tool (or the freelancer's own words) backs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from twinwork.assistant.models import AssistantSettings
from twinwork.assistant.schemas import DAY_NAMES
from twinwork.catalog.models import Gig, GigPackage
from twinwork.catalog.offer import gig_offers
from twinwork.creation.models import PersonalModel
from twinwork.kit.db import utcnow
from twinwork.kit.money import format_amount
from twinwork.order.models import Order, OrderStatus

DAY_LABELS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

ORDER_STATUS_WORDS = {
    OrderStatus.AWAITING_REQUIREMENTS: "waiting for your requirements (the delivery time starts "
    "when you send them)",
    OrderStatus.IN_PROGRESS: "in progress",
    OrderStatus.DELIVERED: "delivered and waiting for you to accept it or ask for a revision",
    OrderStatus.DISPUTED: "in a dispute that an operator is looking at",
    OrderStatus.COMPLETED: "completed",
    OrderStatus.CANCELLED: "cancelled",
    OrderStatus.REFUNDED: "refunded",
}


@dataclass
class ToolResult:
    name: str
    lines: list[str]
    data: dict[str, Any] = field(default_factory=dict)


def format_day(day: date) -> str:
    """The one way the assistant writes a date (the verifier reads it back the same way)."""
    return f"{DAY_LABELS[day.weekday()]}, {day.day} {day.strftime('%B')} {day.year}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# ---- packages ---------------------------------------------------------------------------------


def quote_package(gig: Gig, package: GigPackage, today: date) -> ToolResult:
    """Price, delivery date from today and revisions of one package."""
    due = today + timedelta(days=package.delivery_days)
    price = format_amount(package.price_amount, package.currency)
    revisions = "no revisions" if package.revisions == 0 else _plural(package.revisions, "revision")
    titled = f" ({package.title})" if package.title.strip().lower() != package.name else ""
    line = (
        f'The {package.name.capitalize()} package of "{gig.title}"{titled} is '
        f"{price}, delivered in {_plural(package.delivery_days, 'day')} with {revisions}: "
        f"ordered now with your requirements, it is due by {format_day(due)}."
    )
    return ToolResult(
        "quote_package",
        [line],
        {
            "gig_id": gig.id,
            "gig_title": gig.title,
            "package": package.name,
            "package_title": package.title,
            "summary": package.summary,
            "price": price,
            "price_amount": package.price_amount,
            "delivery_days": package.delivery_days,
            "due_date": format_day(due),
            "revisions": package.revisions,
        },
    )


def quote_gig(
    gig: Gig, today: date, package_name: str | None = None, only: Sequence[str] | None = None
) -> ToolResult:
    """One package when the buyer named it, else those in ``only`` (the ones that meet the
    buyer's deadline), else every package of the gig."""
    packages = [p for p in gig.packages if package_name in (None, p.name)] or list(gig.packages)
    if package_name is None and only:
        packages = [p for p in packages if p.name in only] or packages
    results = [quote_package(gig, package, today) for package in packages]
    return ToolResult(
        "quote_gig",
        [line for result in results for line in result.lines],
        {"gig_id": gig.id, "packages": [result.data for result in results]},
    )


def list_gigs(gigs: Sequence[Gig]) -> ToolResult:
    """Every published gig with its lowest price and fastest delivery."""
    lines = []
    data = []
    for gig in gigs:
        price = format_amount(gig.starting_price_amount, gig.currency)
        lines.append(
            f'"{gig.title}": from {price}, delivered in as little as '
            f"{_plural(gig.fastest_delivery_days, 'day')}."
        )
        data.append(
            {
                "gig_id": gig.id,
                "title": gig.title,
                "from": price,
                "fastest_days": gig.fastest_delivery_days,
            }
        )
    return ToolResult("list_gigs", lines, {"gigs": data})


def rush_check(gig: Gig, requested_days: int) -> ToolResult:
    """Whether any package of the gig delivers within the days the buyer asked for."""
    fitting = [p for p in gig.packages if p.delivery_days <= requested_days]
    return ToolResult(
        "rush_check",
        [],
        {
            "requested_days": requested_days,
            "fastest_days": min((p.delivery_days for p in gig.packages), default=0),
            "fitting_packages": [p.name for p in fitting],
        },
    )


def revisions_of(gig: Gig) -> ToolResult:
    lines = [
        f"The {p.name.capitalize()} package includes "
        f"{'no revisions' if p.revisions == 0 else _plural(p.revisions, 'revision')}."
        for p in gig.packages
    ]
    return ToolResult(
        "revisions",
        lines,
        {"gig_id": gig.id, "revisions": {p.name: p.revisions for p in gig.packages}},
    )


# ---- how the work is made ----------------------------------------------------------------------


def explain_modes(
    freelancer_name: str, gig: Gig | None, models: Sequence[PersonalModel]
) -> ToolResult:
    """By hand, AI and hybrid, with the model's price per use and licence when there is one."""
    lines = []
    data: dict[str, Any] = {}
    if gig is not None and gig.packages:
        start = format_amount(gig.starting_price_amount, gig.currency)
        lines.append(f"By hand: {freelancer_name} makes the work; packages start at {start}.")
        data["human_from"] = start
    else:
        lines.append(
            f"By hand: {freelancer_name} makes the work, at the prices of the gig's packages."
        )
    priced = [m for m in models if m.price_amount is not None]
    if not priced:
        lines.append(
            f"{freelancer_name} does not sell AI-made work at the moment, so every order is "
            "made by hand."
        )
        data["ai"] = None
        return ToolResult("explain_modes", lines, data)
    model = priced[0]
    assert model.price_amount is not None
    ai_price = format_amount(model.price_amount, model.currency)
    scope = "commercial use" if model.license_scope == "commercial" else "personal use"
    exclusive = ", exclusive to you" if model.license_exclusive else ""
    lines.append(
        f'AI: {freelancer_name}\'s own model "{model.name}", trained only on '
        f"{freelancer_name}'s work, makes it at once for {ai_price} per use; you see a "
        f"watermarked preview first, and the licence is for {scope}{exclusive}."
    )
    data["ai"] = {"model": model.name, "price": ai_price, "licence": f"{scope}{exclusive}"}
    if gig is not None:
        # The prices an order of each package is charged, made each way (catalog.offer).
        per_package = []
        for offer in gig_offers(gig, model):
            ways = [f"by hand {format_amount(offer.human_amount, offer.currency)}"]
            if offer.ai_amount is not None:
                ways.append(f"AI {format_amount(offer.ai_amount, offer.currency)}")
            if offer.hybrid_amount is not None:
                ways.append(f"hybrid {format_amount(offer.hybrid_amount, offer.currency)}")
            per_package.append(f"{offer.package.name.capitalize()}: {', '.join(ways)}")
        lines.append(f'For "{gig.title}": ' + "; ".join(per_package) + ".")
        data["per_package"] = per_package
    if model.refinement_price_amount is not None:
        hybrid = format_amount(model.price_amount + model.refinement_price_amount, model.currency)
        refine = format_amount(model.refinement_price_amount, model.currency)
        lines.append(
            f"Hybrid: the model drafts and {freelancer_name} refines it by hand, for {hybrid} "
            f"in all ({ai_price} for the draft and {refine} for the refinement)."
        )
        data["hybrid"] = {"price": hybrid, "draft": ai_price, "refinement": refine}
    else:
        lines.append(
            f"{freelancer_name} does not offer hybrid work (an AI draft refined by hand) yet."
        )
        data["hybrid"] = None
    return ToolResult("explain_modes", lines, data)


# ---- the buyer's own orders -------------------------------------------------------------------


def order_status(
    orders: Sequence[Order],
    reference: str | None,
    gig_titles: dict[int, str],
    freelancer_name: str,
) -> ToolResult:
    """The asking buyer's own orders with this freelancer (the caller passes only those):
    one order when the buyer named it (its reference, "DOWNRMAT", or its whole public id),
    else the latest few. Orders are named by reference, as their pages name them, never by
    their row's key. An order that is not theirs reads exactly like one that does not exist."""
    if reference is not None:
        orders = [o for o in orders if reference.lower() in (o.public_id, o.reference.lower())]
        if not orders:
            asked = reference.upper() if len(reference) <= 8 else reference  # as pages write it
            return ToolResult(
                "order_status",
                [f"I can't find an order #{asked} of yours with {freelancer_name}."],
                {"orders": [], "asked": asked},
            )
    if not orders:
        return ToolResult(
            "order_status", [f"You have no orders with {freelancer_name} yet."], {"orders": []}
        )
    lines = []
    data = []
    for order in list(orders)[:3]:
        what = gig_titles.get(order.gig_id or 0, "AI work")
        line = f'Order #{order.reference} ("{what}") is {ORDER_STATUS_WORDS[order.status]}'
        entry: dict[str, Any] = {
            "reference": order.reference,
            "status": order.status.value,
            "title": what,
        }
        if order.due_at is not None and order.status == OrderStatus.IN_PROGRESS:
            due = format_day(order.due_at.date())
            line += f"; it is due by {due}"
            entry["due"] = due
        lines.append(line + ".")
        data.append(entry)
    return ToolResult("order_status", lines, {"orders": data})


# ---- availability and out of office -----------------------------------------------------------


def _zone(settings: AssistantSettings) -> ZoneInfo:
    return ZoneInfo(settings.timezone or "UTC")


def _hours(settings: AssistantSettings) -> tuple[list[int], time, time]:
    availability = settings.availability or {}
    days = [int(d) for d in availability.get("days", [])]
    start = time.fromisoformat(str(availability.get("start", "09:00")))
    end = time.fromisoformat(str(availability.get("end", "17:00")))
    return days, start, end


def describe_hours(settings: AssistantSettings) -> str:
    days, start, end = _hours(settings)
    if not days:
        return "no regular hours"
    return f"{day_ranges(days)}, {start:%H:%M}-{end:%H:%M} ({settings.timezone})"


def day_ranges(days: Sequence[int]) -> str:
    """[0, 1, 2, 3, 4] -> "Monday to Friday"; [0, 2, 5] -> "Monday, Wednesday, Saturday"."""
    ordered = sorted(set(days))
    runs: list[list[int]] = []
    for day in ordered:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAY_LABELS[run[0]]} to {DAY_LABELS[run[-1]]}")
        else:
            parts.extend(DAY_LABELS[day] for day in run)
    return ", ".join(parts)


def is_available(settings: AssistantSettings, now: datetime | None = None) -> bool:
    local = (now or utcnow()).astimezone(_zone(settings))
    days, start, end = _hours(settings)
    return local.weekday() in days and start <= local.time() < end


def next_available(settings: AssistantSettings, now: datetime | None = None) -> datetime | None:
    """When the freelancer's hours next begin (now, if they are in them)."""
    zone = _zone(settings)
    local = (now or utcnow()).astimezone(zone)
    days, start, end = _hours(settings)
    if not days:
        return None
    for offset in range(0, 8):
        day = local.date() + timedelta(days=offset)
        if day.weekday() not in days:
            continue
        opens = datetime.combine(day, start, tzinfo=zone)
        closes = datetime.combine(day, end, tzinfo=zone)
        if local < closes:
            return max(opens, local)
    return None


def availability(
    settings: AssistantSettings, freelancer_name: str, now: datetime | None = None
) -> ToolResult:
    hours = describe_hours(settings)
    lines = [f"{freelancer_name} usually answers {hours}."]
    data: dict[str, Any] = {"hours": hours, "timezone": settings.timezone}
    if is_available(settings, now):
        lines.append(f"{freelancer_name} is within those hours now.")
        data["available_now"] = True
    else:
        upcoming = next_available(settings, now)
        data["available_now"] = False
        if upcoming is not None:
            when = f"{format_day(upcoming.date())} at {upcoming:%H:%M} ({settings.timezone})"
            lines.append(f"Their next hours begin {when}.")
            data["next"] = when
    return ToolResult("availability", lines, data)


def back_on(settings: AssistantSettings) -> date | None:
    return (
        None
        if settings.out_of_office_until is None
        else settings.out_of_office_until + timedelta(days=1)
    )


def is_out_of_office(settings: AssistantSettings, now: datetime | None = None) -> bool:
    if settings.out_of_office_until is None:
        return False
    today = (now or utcnow()).astimezone(_zone(settings)).date()
    return today <= settings.out_of_office_until


def out_of_office_note(settings: AssistantSettings, freelancer_name: str) -> ToolResult:
    returns = back_on(settings)
    assert returns is not None
    day = format_day(returns)
    return ToolResult(
        "out_of_office",
        [
            f"{freelancer_name} is out of office and back on {day}. Your message is saved "
            f"and {freelancer_name} will read it then; nothing is agreed until they answer."
        ],
        {"back_on": day},
    )


def days_from_now(settings: AssistantSettings, now: datetime | None = None) -> date:
    """Today in the freelancer's time zone: delivery dates count from it."""
    return (now or utcnow()).astimezone(_zone(settings)).date()


def weekday_index(name: str) -> int:
    return DAY_NAMES.index(name)
