"""Read the project's own source files and the imports in them, with `ast` only.

Nothing here imports the code it looks at: the architecture tests see the files as they
are on disk, so a module that moves, splits or gains an import is checked as it is now.
Every function also takes sources given as strings (`modules_from_files`), which is how
each test proves its checker can fail.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIRST_PARTY = ("articles", "comments", "cms", "plumbing", "wordpress_api")
EXCLUDED_DIRS = {"migrations", "tests", "__pycache__"}


@dataclass(frozen=True)
class Module:
    name: str  # dotted: "comments.api.views"; a package is named by its __init__.py
    path: str  # relative to the project root, for messages
    source: str
    is_package: bool


@dataclass(frozen=True)
class Import:
    target: str  # the module it names, resolved to an absolute dotted name
    line: int
    type_checking: bool  # under `if TYPE_CHECKING:`, so never run


def production_files(packages=FIRST_PARTY, root: Path = ROOT) -> dict[str, str]:
    """{relative path: source} of every .py file in `packages`, without migrations and
    tests (a `migrations/` or `tests/` directory, a tests.py or test_*.py file)."""
    files = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            if EXCLUDED_DIRS & set(relative.parts[:-1]):
                continue
            if relative.name == "tests.py" or relative.name.startswith("test_"):
                continue
            files[relative.as_posix()] = path.read_text(encoding="utf-8")
    return files


def modules_from_files(files: dict[str, str]) -> dict[str, Module]:
    """{dotted name: Module} for {relative path: source}, e.g. {"pkg/a.py": "import os"}."""
    modules = {}
    for path, source in files.items():
        parts = path.removesuffix(".py").split("/")
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        name = ".".join(parts)
        modules[name] = Module(name=name, path=path, source=source, is_package=is_package)
    return modules


def production_modules() -> dict[str, Module]:
    return modules_from_files(production_files())


def line_count(source: str) -> int:
    return len(source.splitlines())


# --- imports -------------------------------------------------------------------------


def imports(module: Module, known: set[str] | dict) -> list[Import]:
    """Every import in the module, wherever it stands (module level, in a function or a
    class, under `try:`), each resolved to the module it names:

    - `import a.b.c` -> `a.b.c` (or its longest prefix that is a known module);
    - `from a.b import c` -> `a.b.c` when that is a known module (a submodule imported by
      name), else `a.b` (a name defined in a.b);
    - relative imports are resolved against the module's package;
    - `importlib.import_module("a.b")` and `__import__("a.b")` with a literal name count too.

    `known` is the set of module names a `from` import may resolve to (the first-party
    modules). The package `a.b` that `import a.b.c` also runs is NOT added: see
    test_import_cycles for why.
    """
    found: list[Import] = []
    for node, type_checking in _import_nodes(ast.parse(module.source, module.path), False):
        line = node.lineno
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Import(_longest_known(alias.name, known), line, type_checking))
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node.level, node.module)
            if base is None:
                continue  # beyond the top-level package: Python refuses it too
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                target = submodule if submodule in known else _longest_known(base, known)
                found.append(Import(target, line, type_checking))
        else:  # a dynamic import of a literal name
            found.append(Import(_longest_known(node.args[0].value, known), line, type_checking))
    return found


def _import_nodes(node: ast.AST, type_checking: bool) -> Iterator[tuple[ast.AST, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom) or _is_dynamic_import(child):
            yield child, type_checking
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for statement in child.body:
                yield from _import_nodes_in(statement, True)
            for statement in child.orelse:  # the `else:` of TYPE_CHECKING runs
                yield from _import_nodes_in(statement, type_checking)
        else:
            yield from _import_nodes(child, type_checking)


def _import_nodes_in(statement: ast.AST, type_checking: bool) -> Iterator[tuple[ast.AST, bool]]:
    """The statement itself when it is an import, then the imports inside it."""
    wrapper = ast.Module(body=[statement], type_ignores=[])
    yield from _import_nodes(wrapper, type_checking)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _is_dynamic_import(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call) or not node.args:
        return False
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    first = node.args[0]
    return (
        name in {"import_module", "__import__"}
        and isinstance(first, ast.Constant)
        and isinstance(first.value, str)
        and not first.value.startswith(".")
    )


def _absolute(module: Module, level: int, name: str | None) -> str | None:
    if level == 0:
        return name
    package = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    if level - 1 > len(package) - 1:
        return None
    base = package[: len(package) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _longest_known(name: str, known) -> str:
    """`name`, or its longest dotted prefix that is a known module; `name` when none is
    (a third-party or standard-library module)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return name


def top_level(name: str) -> str:
    return name.split(".", 1)[0]
