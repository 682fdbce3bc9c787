"""The package's dependency directions, checked on every module's imports (including lazy ones)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[2] / "src" / "monitron_sap"

# Pure stages: no I/O adapters, no SAP, no entry points.
PURE_PACKAGES = ("events", "rules", "assets")
FORBIDDEN_FOR_PURE = ("sap", "aws", "store", "cli", "emulator", "pipeline", "sources")
ENTRY_POINTS = ("cli", "aws")
EMULATOR_IMPORTERS = {"cli/demo.py", "cli/sap_emulator.py"}
# The SAP layer speaks SAP's language only.
FORBIDDEN_FOR_SAP = ("events", "rules", "assets", "store", "pipeline", "simulate", "lifecycle")


def imported_subpackages(path: Path) -> set[str]:
    """Return the first-level ``monitron_sap`` subpackages that ``path`` imports anywhere."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "monitron_sap" and len(parts) > 1:
                found.add(parts[1])
    return found


def modules_in(subpackage: str) -> list[Path]:
    return sorted((PACKAGE_ROOT / subpackage).rglob("*.py"))


def relative(path: Path) -> str:
    return path.relative_to(PACKAGE_ROOT).as_posix()


@pytest.mark.parametrize("subpackage", PURE_PACKAGES)
def test_pure_stages_import_no_adapters(subpackage: str) -> None:
    offenders = {
        relative(path): sorted(imported_subpackages(path) & set(FORBIDDEN_FOR_PURE))
        for path in modules_in(subpackage)
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_sap_layer_knows_nothing_of_monitron() -> None:
    offenders = {
        relative(path): sorted(imported_subpackages(path) & set(FORBIDDEN_FOR_SAP))
        for path in modules_in("sap")
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_entry_points_are_not_imported() -> None:
    offenders = []
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        name = relative(path)
        if name.split("/")[0] in ENTRY_POINTS or name == "__main__.py":
            continue
        if imported_subpackages(path) & set(ENTRY_POINTS):
            offenders.append(name)
    assert offenders == []


def test_only_two_commands_import_emulator() -> None:
    importers = {
        relative(path)
        for path in sorted(PACKAGE_ROOT.rglob("*.py"))
        if not relative(path).startswith("emulator/") and "emulator" in imported_subpackages(path)
    }
    assert importers <= EMULATOR_IMPORTERS


def test_checker_sees_lazy_imports(tmp_path: Path) -> None:
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    from monitron_sap.sap.models import Notification\n")
    assert imported_subpackages(module) == {"sap"}
