"""Layer boundaries and the shape of core/, checked on every run (ruff runs beside, in `make test`)."""

from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "core"
MAX_MODULE_LINES = 400
# Beside its packages core/ keeps only these: the package, `python -m core`, the errors and the status table.
TOP_LEVEL_MODULES = {"__init__.py", "__main__.py", "errors.py", "transitions.py"}


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def test_import_contracts_hold() -> None:
    proc = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def test_import_contracts_ignore_nothing() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    assert not [s for s in config.sections() if config.has_option(s, "ignore_imports")]


def test_db_may_import_nothing_of_core_but_config_and_its_errors() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    forbidden = set(config["importlinter:contract:db-below-core"]["forbidden_modules"].split())
    packages = {f"core.{p.name}" for p in CORE.iterdir() if (p / "__init__.py").exists()}
    modules = {f"core.{p.stem}" for p in CORE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")}
    assert forbidden == (packages | modules) - {"core.config", "core.errors"}


def test_core_keeps_only_four_top_level_modules_beside_its_packages() -> None:
    assert {p.name for p in CORE.glob("*.py")} == TOP_LEVEL_MODULES


def test_no_product_module_is_longer_than_400_lines() -> None:
    modules = [p for folder in ("core", "db", "ui", "pages", "bench") for p in (ROOT / folder).rglob("*.py")
               if "versions" not in p.parts]  # migrations are history, never edited
    long = {str(p.relative_to(ROOT)): n for p in modules if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert long == {}
