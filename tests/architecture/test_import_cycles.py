"""No import cycles between the first-party modules (articles, comments, cms, plumbing;
migrations and tests excluded).

The graph has an edge A -> B for every import in A that names the first-party module B:
at module level or inside a function or method (a function-level import is still a
dependency, only a deferred one, and usually a hidden cycle), but not under
`if TYPE_CHECKING:` (never run). `from a.b import c` is an edge to `a.b.c` when that is a
module, else to `a.b`; relative imports are resolved against the importing package.

Deliberately NOT an edge: the parent packages that Python also runs. `import a.b.c`
executes `a/__init__.py` and `a/b/__init__.py` first, but counting that would make every
package whose __init__ re-exports its submodules a cycle (`a.b` imports `a.b.c`, and
`a.b.c` "imports" `a.b`), which is a convention, not a tangle. A real cycle through a
package __init__ (a submodule importing a name from its package's __init__, which
imports the submodule) is an explicit import and is found.
"""

from __future__ import annotations

from collections import deque

from tests.architecture.sources import (
    FIRST_PARTY,
    Module,
    imports,
    modules_from_files,
    production_modules,
    top_level,
)

Graph = dict[str, dict[str, str]]  # module -> {imported module: "path:line" of the import}


def import_graph(modules: dict[str, Module], packages=FIRST_PARTY) -> Graph:
    graph: Graph = {name: {} for name in modules}
    for module in modules.values():
        for found in imports(module, modules):
            if found.type_checking or found.target == module.name:
                continue
            if found.target in modules and top_level(found.target) in packages:
                graph[module.name].setdefault(found.target, f"{module.path}:{found.line}")
    return graph


def strongly_connected_components(graph: Graph) -> list[list[str]]:
    """Tarjan's algorithm, iterative (no recursion limit on long import chains)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)

    for root in sorted(graph):
        if root in index:
            continue
        visit(root)
        work = [(root, iter(sorted(graph[root])))]
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    visit(successor)
                    work.append((successor, iter(sorted(graph.get(successor, {})))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(sorted(component))
    return components


def shortest_cycle(graph: Graph, component: list[str]) -> list[str]:
    """A shortest cycle through the component's first module, staying inside it."""
    start, members = component[0], set(component)
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for successor in sorted(graph[node]):
            if successor not in members:
                continue
            if successor == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if successor not in came_from:
                came_from[successor] = node
                queue.append(successor)
    raise AssertionError(f"no cycle through {start} in {component}")


def import_cycles(modules: dict[str, Module]) -> list[str]:
    """One description per strongly connected component of more than one module."""
    graph = import_graph(modules)
    found = []
    for component in strongly_connected_components(graph):
        if len(component) < 2:
            continue
        cycle = shortest_cycle(graph, component)
        steps = "\n".join(
            f"      {a} -> {b}  ({graph[a][b]})" for a, b in zip(cycle, cycle[1:], strict=False)
        )
        found.append(
            f"{len(component)} modules import each other: {', '.join(component)}\n"
            f"    for example {' -> '.join(cycle)}:\n{steps}"
        )
    return found


def test_no_import_cycles():
    cycles = import_cycles(production_modules())

    assert not cycles, "import cycles between first-party modules:\n  " + "\n  ".join(cycles)


def test_the_checker_finds_a_two_module_cycle():
    modules = modules_from_files(
        {
            "articles/__init__.py": "",
            "articles/a.py": "from articles import b\n",
            "articles/b.py": "def late():\n    from .a import thing\n    return thing\n",
        }
    )

    assert import_cycles(modules) == [
        "2 modules import each other: articles.a, articles.b\n"
        "    for example articles.a -> articles.b -> articles.a:\n"
        "      articles.a -> articles.b  (articles/a.py:1)\n"
        "      articles.b -> articles.a  (articles/b.py:2)"
    ]


def test_the_checker_ignores_type_checking_parents_and_third_party():
    modules = modules_from_files(
        {
            # The package re-exports its submodule: not a cycle with the submodule,
            # which Python runs after the package's __init__.
            "comments/__init__.py": "from comments.models import Comment\n",
            "comments/models.py": (
                "from typing import TYPE_CHECKING\n"
                "import django.db.models\n"
                "if TYPE_CHECKING:\n"
                "    from comments.services import create\n"
                "else:\n"
                "    create = None\n"
            ),
            "comments/services.py": "from comments.models import Comment\n",
        }
    )

    assert import_cycles(modules) == []
    assert import_graph(modules) == {
        "comments": {"comments.models": "comments/__init__.py:1"},
        "comments.models": {},
        "comments.services": {"comments.models": "comments/services.py:1"},
    }


def test_the_checker_finds_a_cycle_through_a_package_init_and_a_longer_one():
    modules = modules_from_files(
        {
            "plumbing/__init__.py": "from plumbing.errors import handler\n",
            "plumbing/errors.py": "from plumbing import DEFAULT\n",
            "cms/__init__.py": "",
            "cms/a.py": "import cms.b\n",
            "cms/b.py": "try:\n    from cms import c\nexcept ImportError:\n    pass\n",
            "cms/c.py": "import importlib\nimportlib.import_module('cms.a')\n",
        }
    )

    cycles = import_cycles(modules)

    assert sorted(c.splitlines()[0] for c in cycles) == [
        "2 modules import each other: plumbing, plumbing.errors",
        "3 modules import each other: cms.a, cms.b, cms.c",
    ]
