"""The house's floors: no module imports from a floor above its own.

    core (ground: plumbing, imports no app) ← accounts ← gatekeeper ← trading ← adminpanel ← flaxu (project)
    core ← market (imports no app) ← gatekeeper, trading

The pure engines (trading/engine, and market's arbitrage, funding, indices, liquidation map and formatting)
import no Django at all. Imports inside functions count as much as those at the top of a module.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What each package may import from the project's own packages (besides itself).
MAY_IMPORT = {
    "core": set(),
    "accounts": {"core"},
    "market": {"core"},
    "gatekeeper": {"core", "accounts", "market"},
    "trading": {"core", "accounts", "market", "gatekeeper"},
    "adminpanel": {"core", "accounts", "market", "gatekeeper", "trading"},
}
OURS = {*MAY_IMPORT, "flaxu", "tests", "bench"}
ENGINES = [
    "trading/engine",
    "market/arbitrage.py",
    "market/funding.py",
    "market/indices.py",
    "market/liquidation_map.py",
    "market/formatting.py",
    "market/timeframes.py",
]

ENGINE_MODULES = tuple(path.removesuffix(".py").replace("/", ".") for path in ENGINES)  # they may use each other


def modules(path: Path):
    files = [path] if path.suffix == ".py" else sorted(path.rglob("*.py"))
    return [f for f in files if "migrations" not in f.parts]


def imported(file: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(file.read_text(), filename=str(file))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_no_package_imports_from_a_floor_above_it(package):
    allowed = MAY_IMPORT[package] | {package}
    wrong = sorted(
        f"{file.relative_to(ROOT)} imports {name}"
        for file in modules(ROOT / package)
        for name in imported(file)
        if name.split(".")[0] in OURS and name.split(".")[0] not in allowed
    )
    assert wrong == []


@pytest.mark.parametrize("engine", ENGINES)
def test_engines_import_no_django(engine):
    wrong = sorted(
        f"{file.relative_to(ROOT)} imports {name}"
        for file in modules(ROOT / engine)
        for name in imported(file)
        if name.split(".")[0] in {"django", "rest_framework", "channels", "celery"}
        or (name.split(".")[0] in OURS and not name.startswith(ENGINE_MODULES))
    )
    assert wrong == []


def test_migrations_import_no_live_code_and_read_no_settings():
    """A migration replays history: it may not depend on code or settings that change after it was written."""
    allowed = ("django.", "core.beat", "accounts.models")  # accounts 0001: Django's generated manager import
    wrong = []
    for file in sorted(ROOT.glob("*/migrations/*.py")) + sorted(ROOT.glob("core/*/migrations/*.py")):
        names = imported(file)
        wrong += [
            f"{file.relative_to(ROOT)} imports {n}"
            for n in names
            if n.split(".")[0] in OURS and n != "core" and not n.startswith(allowed)
        ]
        text = file.read_text()
        wrong += [
            f"{file.relative_to(ROOT)} reads settings.{m}"
            for m in re.findall(r"settings\.(\w+)", text)
            if m != "AUTH_USER_MODEL"
        ]
    assert wrong == []
