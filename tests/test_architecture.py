"""The import graph of ``src/twinwork`` keeps the shape STYLE.md describes.

Domains (the first package below ``twinwork``) form a one-way graph; an import hidden inside a
function does not get around that; ``ml`` stays pure. Pages, CLI commands and the modules that
wire everything together (composition roots) may import any domain, in any way.

Read from the source with ``ast``, nothing is imported: a cycle shows up here even when the
import order happens to work today.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "twinwork"

# Composition roots and infrastructure at the top of the package.
TOP_LEVEL_COMPOSITION = {"cli.py", "tasks.py", "models.py", "domains.py", "__main__.py"}
# Whole packages that wire domains together: the web shell, demo data, migrations.
COMPOSITION_PACKAGES = {"web", "demo", "migrations"}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, e.g. "twinwork.order.service"
    target: str  # the imported module, e.g. "twinwork.catalog.service"
    path: str  # relative to src/, for messages
    line: int
    in_function: bool

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def domain_of(module: str) -> str:
    """The first package (or top-level module) below ``twinwork``: "twinwork.order.service"
    -> "order", "twinwork.config" -> "config"; the package itself -> "twinwork"."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def is_composition(path: Path) -> bool:
    """Pages, CLI commands and wiring: exempt from the layering rules."""
    relative = path.relative_to(SRC / PACKAGE)
    if len(relative.parts) == 1 and relative.name in TOP_LEVEL_COMPOSITION:
        return True
    if relative.parts[0] in COMPOSITION_PACKAGES:
        return True
    return relative.name in ("routes.py", "cli.py") or relative.name.endswith("_routes.py")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(dotted: str) -> bool:
    base = SRC.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _ImportCollector(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool) -> None:
        self.module = module
        self.is_package = is_package
        self.found: list[tuple[str, int, bool]] = []  # (target, line, in_function)
        self._function_depth = 0

    def _nested(self, node: ast.AST) -> None:
        self._function_depth += 1
        self.generic_visit(node)
        self._function_depth -= 1

    visit_FunctionDef = _nested
    visit_AsyncFunctionDef = _nested
    visit_Lambda = _nested

    def visit_If(self, node: ast.If) -> None:
        # Imports only a type checker sees never run, so they cannot form a runtime cycle.
        if _is_type_checking(node.test):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            package = self.module.split(".")
            if not self.is_package:
                package.pop()
            package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, base]) if base else ".".join(package)
        for alias in node.names:
            # "from twinwork.order import models" imports the module twinwork.order.models.
            candidate = f"{base}.{alias.name}"
            self._add(candidate if is_module(candidate) else base, node.lineno)

    def _add(self, target: str, line: int) -> None:
        if target == PACKAGE or target.startswith(PACKAGE + "."):
            self.found.append((target, line, self._function_depth > 0))


def imports_of(path: Path) -> list[Import]:
    module = module_name(path)
    collector = _ImportCollector(module, is_package=path.name == "__init__.py")
    collector.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    where = str(path.relative_to(SRC))
    return [Import(module, target, where, line, lazy) for target, line, lazy in collector.found]


def source_files() -> list[Path]:
    return sorted((SRC / PACKAGE).rglob("*.py"))


def all_imports() -> Iterator[tuple[Path, Import]]:
    for path in source_files():
        for found in imports_of(path):
            yield path, found


# ---- the graph -----------------------------------------------------------------------------


Graph = dict[str, set[str]]


def domain_graph(
    imports: Iterable[tuple[Path, Import]],
) -> tuple[Graph, dict[tuple[str, str], str]]:
    """Domain -> domains it imports, leaving out composition modules; and, for each edge, the
    first place that makes it (for the failure message)."""
    graph: Graph = {}
    evidence: dict[tuple[str, str], str] = {}
    for path, found in imports:
        if is_composition(path):
            continue
        source, target = domain_of(found.source), domain_of(found.target)
        graph.setdefault(source, set())
        graph.setdefault(target, set())
        if source != target:
            graph[source].add(target)
            evidence.setdefault((source, target), found.where)
    return graph, evidence


def find_cycles(graph: Graph) -> list[list[str]]:
    """One cycle (a closed path, ``[a, b, a]``) through each tangle; empty when acyclic."""
    return sorted(_cycle_through(graph, component) for component in tangles(graph))


def tangles(graph: Graph) -> list[set[str]]:
    """The strongly connected components of more than one node (Tarjan's algorithm): sets
    of domains that all reach each other, so none can be built without the others."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return components


def _cycle_through(graph: Graph, component: set[str]) -> list[str]:
    """A shortest closed path from the component's first node back to itself."""
    start = min(component)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph.get(node, set()) & component):
                if nxt == start:
                    return [*paths[node], start]
                if nxt not in paths:
                    paths[nxt] = [*paths[node], nxt]
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"{sorted(component)} is not strongly connected")


def describe(cycle: list[str], evidence: dict[tuple[str, str], str]) -> str:
    steps = [cycle[0]]
    for source, target in zip(cycle, cycle[1:], strict=False):
        steps.append(f"-> {target} ({evidence.get((source, target), '?')})")
    return " ".join(steps)


# ---- the rules -----------------------------------------------------------------------------


def test_domains_import_each_other_without_cycles() -> None:
    graph, evidence = domain_graph(all_imports())
    # The scan sees the code: catalog's tables are built on account's users.
    assert "account" in graph.get("catalog", set()), "the import scan found nothing"
    found = [
        f"{', '.join(sorted(component))} import each other, e.g. "
        + describe(_cycle_through(graph, component), evidence)
        for component in tangles(graph)
    ]
    assert not found, "domain import cycles (each edge: the first import that makes it):\n" + (
        "\n".join(found)
    )


def test_account_builds_on_no_other_domain() -> None:
    """Account is the bottom layer: other domains react to it through ``account.hooks``."""
    graph, evidence = domain_graph(all_imports())
    allowed = {"kit", "config"}
    above = sorted(graph.get("account", set()) - allowed)
    assert not above, "account imports " + ", ".join(
        f"{d} ({evidence[('account', d)]})" for d in above
    )


def test_no_cross_domain_import_hides_inside_a_function() -> None:
    hidden = [
        f"{found.where}: {found.target}"
        for path, found in all_imports()
        if found.in_function
        and not is_composition(path)
        and domain_of(found.source) != domain_of(found.target)
    ]
    assert not hidden, "imports of another domain inside a function (move them to the top):\n" + (
        "\n".join(hidden)
    )


def test_ml_imports_nothing_outside_ml() -> None:
    ml_files = [p for p in source_files() if p.relative_to(SRC / PACKAGE).parts[0] == "ml"]
    assert ml_files, "no ml package found"
    outside = [
        f"{found.where}: {found.target}"
        for path in ml_files
        for found in imports_of(path)
        if domain_of(found.target) != "ml"
    ]
    assert not outside, "ml must stay pure (paths and settings in, results out):\n" + "\n".join(
        outside
    )


# ---- the checker itself ----------------------------------------------------------------------


def test_cycle_check_reports_a_planted_cycle() -> None:
    acyclic: Graph = {"web": {"order"}, "order": {"catalog"}, "catalog": {"account"}}
    assert find_cycles(acyclic) == [] and tangles(acyclic) == []
    planted: Graph = {
        **acyclic,
        "account": {"kit", "billing"},
        "billing": {"catalog"},
        "kit": set(),
    }
    cycle = find_cycles(planted)
    assert cycle == [["account", "billing", "catalog", "account"]]
    assert tangles(planted) == [{"account", "billing", "catalog"}]
    evidence = {("account", "billing"): "account/service.py:3"}
    assert describe(cycle[0], evidence).startswith(
        "account -> billing (account/service.py:3) -> catalog (?)"
    )


def test_import_scan_sees_lazy_imports_and_skips_type_checking_ones() -> None:
    code = (
        "from typing import TYPE_CHECKING\n"
        "from twinwork.kit.db import Base\n"
        "if TYPE_CHECKING:\n"
        "    from twinwork.billing.models import Payment\n"
        "def charge():\n"
        "    import twinwork.billing.service\n"
        "    return twinwork.billing.service\n"
    )
    collector = _ImportCollector("twinwork.order.service", is_package=False)
    collector.visit(ast.parse(code))
    assert collector.found == [
        ("twinwork.kit.db", 2, False),
        ("twinwork.billing.service", 6, True),
    ]


# Dividing by 100 makes a float of cents ("$45.5"); kit.money formats amounts exactly.
FLOAT_MONEY = re.compile(r"(?<![/\d])/\s*100\b(?!\s*\d)")
MONEY_HELPER = SRC / PACKAGE / "kit" / "money.py"


def float_money_lines(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".py", ".html") or path == MONEY_HELPER:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FLOAT_MONEY.search(line) and "1000000" not in line:
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    return found


def test_money_is_formatted_only_by_the_money_helper() -> None:
    assert float_money_lines(SRC / PACKAGE) == []


def test_the_money_check_sees_a_float_of_cents(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("<p>{{ price_amount / 100 }}</p>\n")
    (tmp_path / "fee.py").write_text("fee = (amount * percent + 50) // 100\n")
    assert float_money_lines(tmp_path) == ["page.html:1: <p>{{ price_amount / 100 }}</p>"]
