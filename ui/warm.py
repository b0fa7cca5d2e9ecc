"""The web process's start-up: every module the pages import is loaded before the first visitor, then frozen
out of the garbage collector's full passes.

Imported lazily, the modules of a page (pandas, Altair, SQLAlchemy's models) load during the first visit to it,
so that visitor waits a second or more. And once loaded they are hundreds of thousands of long-lived objects
that every full collection walks again: ~150 ms holding the GIL, landing on whichever page load is running
(measured in the web process on the 1M-row database). `gc.freeze()` moves what is alive at start-up into a
permanent generation the collector skips; what sessions allocate afterwards is collected as before.
"""

from __future__ import annotations

import ast
import gc
import importlib
from pathlib import Path


def page_modules(root: Path) -> list[str]:
    """The absolute module names imported at the top level of streamlit_app.py and pages/*.py, sorted."""
    names: set[str] = set()
    for script in [root / "streamlit_app.py", *sorted((root / "pages").glob("*.py"))]:
        for node in ast.parse(script.read_text(), filename=str(script)).body:
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module != "__future__":
                names.add(node.module)  # type: ignore[arg-type] - level 0 always names its module
    return sorted(names)


def warm_and_freeze(root: Path) -> int:
    """Import every page's modules, collect once, freeze what is left; return how many objects were frozen."""
    for name in page_modules(root):
        importlib.import_module(name)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
