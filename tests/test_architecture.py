"""Layer boundaries, import cycles, private imports and the shape of core/, checked on every run (ruff runs
beside, in `make test`)."""

from __future__ import annotations

import ast
import configparser
import gc
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "core"
MAX_MODULE_LINES = 400
# Beside its packages core/ keeps only these: the package, `python -m core`, the errors and the status table.
TOP_LEVEL_MODULES = {"__init__.py", "__main__.py", "errors.py", "transitions.py"}
FIRST_PARTY = ("core", "db", "ui", "pages", "bench")


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


def _modules(*folders: str) -> dict[str, Path]:
    """Dotted module name → file, for every .py under `folders` (a package is its __init__.py)."""
    out = {}
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _parse(path: Path) -> ast.Module:
    """The module's AST, parsed with the garbage collector paused. Regression: on CPython 3.11.7 a finalizer that ran
    mid-parse (a leaked connection's rollback, from an earlier test in the same worker) broke ast's recursion
    bookkeeping: "SystemError: AST constructor recursion depth mismatch" (CI, stop 28's second pass)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return ast.parse(path.read_text(), str(path))
    finally:
        if enabled:
            gc.enable()


def _imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, ast.ImportFrom | None, str | None]]:
    """(module imported, the ImportFrom or None, the name taken) for every import in the file, at any depth.

    `from pkg import mod` is an import of pkg.mod when that is a module, else of pkg; a module outside `known`
    is its longest known prefix (or skipped).
    """
    def resolve(dotted: str) -> str | None:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(_parse(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if (target := resolve(alias.name)) is not None:
                    yield target, None, None
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: `from . import x` is from the package, each further dot one level up
                parts = package.split(".")
                base = ".".join([*parts[:len(parts) - node.level + 1], *([base] if base else [])])
            for alias in node.names:
                target = f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else resolve(base)
                if target is not None:
                    yield target, node, alias.name


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted, sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_core_has_no_import_cycle_counting_imports_inside_functions() -> None:
    known = _modules("core")
    graph = {name: {t for t, _, _ in _imports(name, path, known) if t != name} for name, path in known.items()}
    cycles = _cycles(graph)
    assert not cycles, "import cycles in core/:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_the_cycle_finder_sees_imports_inside_functions_and_resolves_submodules(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("def f():\n    from pkg import b\n")
    (tmp_path / "b.py").write_text("from pkg.a import f\nfrom pkg import _c\n")
    known = {"pkg": tmp_path / "__init__.py", "pkg.a": tmp_path / "a.py", "pkg.b": tmp_path / "b.py"}
    graph = {n: {t for t, _, _ in _imports(n, known[n], known)} for n in ("pkg.a", "pkg.b")} | {"pkg": set()}
    assert graph == {"pkg.a": {"pkg.b"}, "pkg.b": {"pkg.a", "pkg"}, "pkg": set()}
    assert _cycles(graph) == [["pkg.a", "pkg.b"]]
    assert _cycles({"x": {"y"}, "y": {"z"}, "z": set()}) == []


def test_no_private_name_is_imported_across_modules() -> None:
    known = _modules(*FIRST_PARTY)
    private = sorted(
        f"{path.relative_to(ROOT)}:{node.lineno} imports {taken} from {target}"
        for name, path in known.items()
        for target, node, taken in _imports(name, path, known)
        if node is not None and taken is not None and taken.startswith("_") and target != name
        and not taken.startswith("__")  # dunders (__version__) are public by convention
    )
    assert not private, "private names imported across modules:\n" + "\n".join(private)
