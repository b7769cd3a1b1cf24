"""Services and selectors are called with keyword arguments and say what they take.

The style we follow (HackSoft's services and selectors): `comment_feature(*, comment,
by)`, so a call site reads like a sentence and arguments cannot be swapped silently. Every
public function of the modules that hold write paths and read paths takes keyword-only
arguments, each with a type hint, and declares what it returns.
"""

from __future__ import annotations

import ast

from tests.architecture.sources import production_files

# The modules of write paths (services) and read paths (selectors), by file name.
SERVICE_AND_SELECTOR_FILES = (
    "articles/services.py",
    "articles/selectors.py",
    "comments/services.py",
    "comments/selectors.py",
    "comments/moderating.py",
    "comments/sanctions.py",
    "comments/threads.py",
    "wordpress_api/selectors.py",
)


def signature_problems(files: dict[str, str]) -> list[str]:
    problems = []
    for path, source in sorted(files.items()):
        for node in ast.parse(source).body:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if node.name.startswith("_"):
                continue
            arguments = node.args
            positional = [a.arg for a in arguments.posonlyargs + arguments.args]
            if positional:
                problems.append(f"{path}:{node.lineno} {node.name}: positional {positional}")
            untyped = [a.arg for a in arguments.kwonlyargs if a.annotation is None]
            if untyped:
                problems.append(f"{path}:{node.lineno} {node.name}: no type hint on {untyped}")
            if node.returns is None:
                problems.append(f"{path}:{node.lineno} {node.name}: no return annotation")
    return problems


def test_services_and_selectors_take_typed_keyword_arguments():
    files = production_files()
    chosen = {path: files[path] for path in SERVICE_AND_SELECTOR_FILES}
    assert signature_problems(chosen) == []


def test_the_check_finds_positional_and_untyped_arguments():
    source = (
        "def comment_feature(comment, *, by):\n    pass\n\n"
        "def _private(x):\n    pass\n\n"
        "def fine(*, comment: int) -> None:\n    pass\n"
    )
    problems = signature_problems({"comments/services.py": source})
    assert problems == [
        "comments/services.py:1 comment_feature: positional ['comment']",
        "comments/services.py:1 comment_feature: no type hint on ['by']",
        "comments/services.py:1 comment_feature: no return annotation",
    ]
