"""No import circles between the package's modules, counting imports inside functions too: a
circle that only works because one side imports late breaks as soon as someone moves an import."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "langguard_bridge"


def imports_of(path: Path) -> set:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found - {"__init__"}


def graph() -> dict:
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    return {m: imports_of(PACKAGE / f"{m}.py") & modules for m in modules}


def cycles(edges: dict) -> list:
    found, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(edges[node]):
            if state.get(nxt) == "open":
                found.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    return found


def test_the_package_has_no_import_circles():
    assert cycles(graph()) == []


def test_the_check_finds_a_circle():
    assert cycles({"main": {"forkserver"}, "forkserver": {"main"}, "protocol": set()}) == [["forkserver", "main", "forkserver"]]
