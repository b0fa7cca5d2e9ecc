"""ui.warm: the web process loads what the pages import before it listens, and freezes it out of full GCs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ui.warm import page_modules

ROOT = Path(__file__).resolve().parents[2]


def test_page_modules_are_the_top_level_absolute_imports_of_the_router_and_the_pages(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "streamlit_app.py").write_text("from __future__ import annotations\nimport json, os.path\n")
    (tmp_path / "pages" / "a.py").write_text(
        "from ui.tables import pager\nfrom . import sibling\n\ndef later():\n    import csv\n")
    assert page_modules(tmp_path) == ["json", "os.path", "ui.tables"]


def test_the_real_pages_import_what_their_charts_and_tables_need() -> None:
    assert {"ui.glance", "ui.tables", "core.console.glance", "streamlit"} <= set(page_modules(ROOT))


def test_warm_and_freeze_loads_every_page_module_and_freezes_the_heap() -> None:
    # In a child process: freezing is for a server's whole life, not for the test runner's heap.
    probe = ("import sys; from pathlib import Path; from ui.warm import page_modules, warm_and_freeze; "
             "frozen = warm_and_freeze(Path('.')); "
             "missing = [m for m in page_modules(Path('.')) if m not in sys.modules]; "
             "print(frozen > 50_000, missing)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "[]"]
