"""The project's modules import one way: no circle, layers point down, no domain → notices.

Walks every module of the project's packages (migrations and tests aside) with ``ast``, so an
import inside a function counts as much as one at the top: a function-level import that dodges
a circle is still a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [
    "zhengai",
    "indicators",
    "schools",
    "review",
    "notices",
    "disclosure",
    "statedata",
    "accounts",
    "workbench",
]
# Pure rule modules: what the policy says, decided without the database.
PURE_RULES = {
    "review.services.verdict",
    "review.services.consistency",
    "review.services.deadlines",
    "review.services.limits",
    "review.services.rules",
    "statedata.services.conditions",
    "statedata.services.conditions_plan",
    "statedata.services.conditions_exact",
    "workbench.services.stages",
    "workbench.services.charts",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        base = ROOT / package
        if not base.is_dir():
            continue
        for path in base.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found[_module_name(path)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The project module an imported name lives in (``a.b.C`` → ``a.b`` when C is no module)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str) -> set[str]:
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                if not is_package:
                    anchor = anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names] or [base]
        else:
            continue
        for name in names:
            target = _resolve(name)
            if target and target != module:
                targets.add(target)
    return targets


GRAPH = {module: _imports(module) for module in MODULES}


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(GRAPH[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return found


def test_the_walk_sees_the_project():
    assert "review.services.scoring" in GRAPH
    assert "review.models" in GRAPH["review.services.scoring"] or any(
        m.startswith("review.models") for m in GRAPH["review.services.scoring"]
    )


def test_no_import_circle_among_the_projects_modules():
    assert _cycles() == []


def _layer(module: str) -> str | None:
    if module in PURE_RULES:
        return "rules"
    for layer in ("views", "services", "selectors", "models"):  # exporters: renderers, any
        parts = module.split(".")
        if layer in parts[1:]:
            return layer
    return None


# Who may import whom inside an app: views → services → selectors → models, and everyone may
# read the pure rules, which import nothing of the database.
ALLOWED = {
    "views": {"views", "services", "selectors", "models", "rules"},
    "services": {"services", "selectors", "models", "rules"},
    "selectors": {"selectors", "models", "rules"},
    "models": {"models", "rules"},
    "rules": {"rules"},
}


def test_dependencies_point_one_way():
    wrong = []
    for module, targets in GRAPH.items():
        layer = _layer(module)
        if layer is None:
            continue
        for target in targets:
            other = _layer(target)
            if other is not None and other not in ALLOWED[layer]:
                wrong.append(f"{module} ({layer}) → {target} ({other})")
    assert wrong == []


def test_pure_rule_modules_import_nothing_of_the_database():
    for module in PURE_RULES:
        source = MODULES[module].read_text(encoding="utf-8")
        assert ".objects" not in source and "transaction" not in source, module
        assert not {t for t in GRAPH[module] if _layer(t) not in ("rules", None)}, module


@pytest.mark.parametrize("app", ["review", "indicators", "schools"])
def test_the_domain_never_imports_notices(app):
    offenders = [
        f"{module} → {target}"
        for module, targets in GRAPH.items()
        if module.split(".")[0] == app
        for target in targets
        if target.split(".")[0] == "notices"
    ]
    assert offenders == []


def test_no_source_file_over_500_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for path in MODULES.values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert long == {}
