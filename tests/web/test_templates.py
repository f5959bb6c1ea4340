"""Every domain's templates share one loader, first match wins: a name used twice would
silently show one domain's page in place of another's."""

from __future__ import annotations

from collections import Counter

from twinwork.web.templating import PACKAGE_ROOT, TEMPLATE_DOMAINS


def test_no_two_domains_have_a_template_of_the_same_name() -> None:
    names = Counter(
        path.relative_to(PACKAGE_ROOT / domain / "templates").as_posix()
        for domain in TEMPLATE_DOMAINS
        for path in (PACKAGE_ROOT / domain / "templates").rglob("*.html")
    )
    assert [name for name, count in names.items() if count > 1] == []
