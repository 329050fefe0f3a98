"""The shape rules of the code base, checked on the source (issue #10's "Done when").

- no application file over 500 lines;
- no route function (a function decorated with ``@bp.route``/``.get``/``.post``) over 30 lines;
- no module reaches a private name (``_name``) of another project module;
- publishing imports no feature package (essays, judging, nominations);
- accounts imports no feature package; core imports neither accounts nor a feature package,
  except in its composition roots and the modules above the features (its web pages, the
  audit page's words);
- imports of project modules sit at the top of the file, not inside functions.

Each check is parametrised by package, so ``pytest tests/test_architecture.py -k essays``
checks one package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("accounts", "core", "essays", "judging", "nominations", "publishing")
PROJECT = set(PACKAGES)
MAX_FILE_LINES = 500
MAX_ROUTE_LINES = 30
# The composition roots: core sits below the feature packages, so the app factory, the CLI
# and the demo seed import them when called (a top-level import would be a cycle).
COMPOSITION_ROOTS = {"core/__init__.py", "core/cli.py", "core/seed.py"}
FEATURES = {"accounts", "essays", "judging", "nominations", "publishing"}
# Core's own web pages sit above accounts (roles, permissions) like a feature's routes, and
# the job worker builds the app without any web page (tests/test_wiring_jobs.py): the app
# factory imports them when it registers the blueprints, like the features' routes.
LAZY_CORE_MODULES = {"core.views"}
# Core modules that sit above accounts and the features, loaded only with the web pages (or by
# the tests): core's own pages and the audit page's words for every package's stored values.
# No other core module imports them (test_core_imports_no_package_above_it).
CORE_ABOVE_FEATURES = LAZY_CORE_MODULES | {"core.audit_labels", "core.audit_fields"}
ROUTE_DECORATORS = {"route", "get", "post", "put", "delete", "patch"}


def _files(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "__pycache__" not in p.parts)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_route(fn: ast.FunctionDef) -> bool:
    for dec in fn.decorator_list:
        call = dec if isinstance(dec, ast.Call) else None
        target = call.func if call else dec
        if isinstance(target, ast.Attribute) and target.attr in ROUTE_DECORATORS:
            return True
    return False


def _project_imports(tree: ast.Module, module: str):
    """(node, imported module, names) for every import of a project module."""
    package = module.split(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                # a package's __init__ counts as the package itself
                base = base[: len(base) - node.level + (1 if module.count(".") == 0 else 0)] or [package]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] in PROJECT:
                yield node, target, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PROJECT:
                    yield node, alias.name, []


@pytest.mark.parametrize("package", PACKAGES)
def test_no_file_over_500_lines(package):
    long = {
        _rel(p): n for p in _files(package) if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_FILE_LINES
    }
    assert long == {}, f"split these files by concern: {long}"


@pytest.mark.parametrize("package", PACKAGES)
def test_no_route_over_30_lines(package):
    long = {}
    for path in _files(package):
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.FunctionDef) and _is_route(node):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_ROUTE_LINES:
                    long[f"{_rel(path)}:{node.name}"] = length
    assert long == {}, f"routes load, authorise, validate, call one service and redirect: {long}"


@pytest.mark.parametrize("package", PACKAGES)
def test_no_private_name_of_another_module(package):
    reached = []
    for path in _files(package):
        module = _module_name(path)
        tree = _tree(path)
        aliases = {}
        for node, target, names in _project_imports(tree, module):
            if target == module:
                continue
            for name in names:
                if name.startswith("_") and not name.startswith("__"):
                    reached.append(f"{_rel(path)}: from {target} import {name}")
            for alias in node.names:
                aliases[alias.asname or alias.name.split(".")[0]] = target
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
            ):
                reached.append(f"{_rel(path)}:{node.lineno}: {node.value.id}.{node.attr}")
    assert reached == [], "use a public function instead of a private name:\n" + "\n".join(reached)


def test_publishing_imports_no_feature_package():
    found = []
    for path in _files("publishing"):
        for _node, target, _names in _project_imports(_tree(path), _module_name(path)):
            if target.split(".")[0] in {"essays", "judging", "nominations"}:
                found.append(f"{_rel(path)}: {target}")
    assert found == [], "publishing knows result sets, honours and certificates only:\n" + "\n".join(found)


@pytest.mark.parametrize("package", PACKAGES)
def test_project_imports_at_the_top(package):
    inside = []
    for path in _files(package):
        tree = _tree(path)
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    names = [a.name for a in node.names]
                    target = getattr(node, "module", None) or ""
                    roots = {target.split(".")[0]} if target else {n.split(".")[0] for n in names}
                    if getattr(node, "level", 0):
                        roots = {package}
                    if not roots & PROJECT:
                        continue
                    if _rel(path) in COMPOSITION_ROOTS and (
                        roots <= FEATURES or {f"{target}.{n}" for n in names} <= LAZY_CORE_MODULES
                    ):
                        continue
                    inside.append(f"{_rel(path)}:{node.lineno}")
    assert inside == [], "import project modules at the top of the file:\n" + "\n".join(inside)


def _imports_of(package: str, forbidden: set[str], allowed_files: set[str] = frozenset()) -> list[str]:
    found = []
    for path in _files(package):
        if _rel(path) in allowed_files or _module_name(path) in CORE_ABOVE_FEATURES:
            continue
        for node, target, names in _project_imports(_tree(path), _module_name(path)):
            targets = {target} | {f"{target}.{n}" for n in names}
            if target.split(".")[0] in forbidden or (targets & CORE_ABOVE_FEATURES):
                found.append(f"{_rel(path)}:{node.lineno}: {target}")
    return found


def test_accounts_imports_no_feature_package():
    """Accounts sits below the features: what a feature adds to accounts' services (a kind in the
    outbox, a section of a person's data) is registered by the composition root."""
    found = _imports_of("accounts", {"essays", "judging", "nominations", "publishing"})
    assert found == [], "accounts knows people, units and messages only:\n" + "\n".join(found)


def test_core_imports_no_package_above_it():
    found = _imports_of("core", FEATURES, allowed_files=COMPOSITION_ROOTS)
    assert found == [], "core sits below accounts and the features:\n" + "\n".join(found)
