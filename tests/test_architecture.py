"""The package's shape, read from its source: no import cycles, and each room imports only the
rooms below it (``docs/architecture.md``).

The graph counts every import that can run: module-level and inside functions. Imports under
``if TYPE_CHECKING:`` are left out, since they never run and only name types for annotations.
Importing ``designer.a.b`` from outside ``designer.a`` runs ``designer/a/__init__.py`` first, so
it counts as an import of ``designer.a`` too.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "designer"

# Each room may import the rooms listed for it (and itself); the top-level modules design.py
# and cli.py sit above everything. verify.py reads only written files.
ALLOWED = {
    "errors": set(),
    "resources": {"errors"},
    "staging": {"errors"},
    "inputs": {"errors", "resources"},
    "site": {"errors", "inputs"},
    "model": {"errors", "inputs", "site"},
    "solvers": {"errors", "inputs", "model"},
    "diagnose": {"errors", "inputs", "site", "model", "solvers", "text"},
    "text": {"inputs", "model"},
    "results": {"errors", "inputs", "site", "model", "solvers", "text", "outputs"},
    "verify": {"errors"},
    "exports": {"errors", "staging", "outputs"},
    "outputs": {"errors", "resources", "staging", "inputs", "site", "model", "text", "results",
                "exports", "verify", "studies"},
    "studies": {"errors", "inputs", "model", "diagnose", "results", "design", "outputs"},
    "design": {"errors", "inputs", "site", "model", "solvers", "diagnose", "results"},
    "cli": None,  # the shell: anything
    "__init__": None,  # the public API: anything
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    relative = Path(*name.split("."))
    return ((PACKAGE.parent / relative).with_suffix(".py").is_file()
            or (PACKAGE.parent / relative / "__init__.py").is_file())


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(inner) for stmt in node.body for inner in ast.walk(stmt)}
    return skipped


def imports_of(path: Path) -> set[str]:
    """Every ``designer`` module ``path`` can import at run time."""
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    tree = ast.parse(path.read_text("utf-8"))
    skipped = _type_checking_nodes(tree)
    targets: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                targets.add(sub if _is_module(sub) else base)
    out = set()
    for target in targets:
        if target != "designer" and not target.startswith("designer."):
            continue
        if not _is_module(target):
            continue
        out.add(target)
        parts = target.split(".")
        for depth in range(2, len(parts)):  # parent packages below the root
            parent = ".".join(parts[:depth])
            if not me.startswith(parent + ".") and me != parent:
                out.add(parent)
    out.discard(me)
    return out


@functools.cache
def import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for path in sorted(PACKAGE.rglob("*.py")):
        me = module_name(path)
        graph.add_node(me)
        for target in imports_of(path):
            if target != "designer":  # the public API imports everything; nothing needs it
                graph.add_edge(me, target)
    return graph


def room(module: str) -> str:
    parts = module.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


def test_the_graph_sees_function_level_imports():
    """The reader finds an import inside a function (cli imports its verbs lazily)."""
    assert "designer.verify" in imports_of(PACKAGE / "cli.py")


def test_no_import_cycles():
    cycles = sorted(sorted(c) for c in nx.simple_cycles(import_graph()))
    assert cycles == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_every_room_is_declared():
    rooms = {room(m) for m in import_graph().nodes}
    assert rooms <= set(ALLOWED), f"undeclared rooms: {rooms - set(ALLOWED)}"


@pytest.mark.parametrize("source", sorted(room for room, allowed in ALLOWED.items()
                                    if allowed is not None))
def test_rooms_import_only_the_rooms_below_them(source):
    allowed = ALLOWED[source]
    graph = import_graph()
    wrong = sorted(f"{a} -> {b}" for a, b in graph.edges
                   if room(a) == source and room(b) != source and room(b) not in allowed)
    assert wrong == []


def test_the_verifier_reads_files_not_the_engine():
    assert imports_of(PACKAGE / "verify.py") <= {"designer.errors"}
