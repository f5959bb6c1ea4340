"""One rule checked against one person's figures, kept as evidence (the creation program's
eligibility, the equity programme's rounds)."""

from __future__ import annotations

from dataclasses import dataclass

Figure = str | float | int | list[str] | None


@dataclass(frozen=True)
class RuleCheck:
    key: str
    label: str
    passed: bool
    figure: str
    """The person's own figure against the bar, saying what is missing when it fails, e.g.
    "4 of 10 completed orders"."""
    threshold: Figure
    value: Figure

    def as_evidence(self) -> dict[str, object]:
        """The check as stored with a decision (frozen JSON: what was true then)."""
        return {
            "key": self.key,
            "label": self.label,
            "passed": self.passed,
            "figure": self.figure,
            "threshold": self.threshold,
            "value": self.value,
        }
