"""Reading operators' search history (CSV ``ts,query,category``): every row checked first,
errors reported by line number, nothing kept unless every row is good."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime

from twinwork.kit.text import clean_text
from twinwork.search.query import MAX_QUERY_LENGTH, normalise

HEADER = ("ts", "query", "category")
MAX_REPORTED_ERRORS = 50


@dataclass(frozen=True)
class ImportRow:
    occurred_at: datetime
    raw_query: str
    term: str
    category_slug: str | None


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str


def parse_timestamp(text: str) -> datetime:
    """ISO 8601; a time without an offset is taken as UTC, a bare date as its midnight UTC."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_csv(
    text: str, categories: set[str], now: datetime, max_rows: int
) -> tuple[list[ImportRow], list[RowError]]:
    rows: list[ImportRow] = []
    errors: list[RowError] = []
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], [
            RowError(1, "header", "The file is empty; start with the line ts,query,category.")
        ]
    except csv.Error as exc:
        return [], [RowError(1, "header", f"Not readable as CSV: {exc}.")]
    if tuple(h.strip().lower() for h in header) != HEADER:
        return [], [RowError(1, "header", "The first line must be exactly: ts,query,category.")]
    try:
        for record in reader:
            line = reader.line_num
            if not record or all(not cell.strip() for cell in record):
                continue
            if len(rows) + len(errors) >= max_rows:
                errors.append(RowError(line, "file", f"At most {max_rows:,} rows per import."))
                break
            row, error = _row(record, line, categories, now)
            if error is not None:
                errors.append(error)
            elif row is not None:
                rows.append(row)
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, "file", f"Not readable as CSV: {exc}."))
    return rows, errors


def _row(
    record: list[str], line: int, categories: set[str], now: datetime
) -> tuple[ImportRow | None, RowError | None]:
    if len(record) != len(HEADER):
        return None, RowError(
            line, "row", f"Expected 3 fields (ts,query,category), got {len(record)}."
        )
    ts_text, query, category = (cell.strip() for cell in record)
    try:
        occurred_at = parse_timestamp(ts_text)
    except ValueError:
        return None, RowError(
            line, "ts", f"{ts_text[:40]!r} is not a date and time like 2026-03-01T14:30:00Z."
        )
    if occurred_at > now:
        return None, RowError(line, "ts", "The time is in the future.")
    query = clean_text(query)
    if len(query) > MAX_QUERY_LENGTH:
        return None, RowError(line, "query", f"At most {MAX_QUERY_LENGTH} characters.")
    term = normalise(query)
    if not term and not category:
        return None, RowError(line, "query", "Give a query with letters or digits, or a category.")
    if category and category not in categories:
        return None, RowError(
            line,
            "category",
            f"No category {category[:60]!r}; leave it empty or use a slug from /api/v1/categories.",
        )
    return ImportRow(occurred_at, query, term, category or None), None
