"""The shape of the code (DESIGN.md "Layers"), beyond the import-linter contracts of pyproject.toml:
no circle in the module graph, no import hidden inside a function, and tests that share their
fixtures and helpers only through tests/support."""

import ast
from pathlib import Path

import grimp

import handover

SOURCE = Path(handover.__file__).resolve().parent

# A task module and the service module that enqueues its tasks may import each other: the sweep task
# calls the services, which enqueue the email tasks defined beside it.
ALLOWED_CIRCLES = [
    {"handover.transfers.services", "handover.transfers.tasks"},
    {"handover.webhooks.services", "handover.webhooks.tasks"},
]
# Django connects signal receivers and registers checks in AppConfig.ready(), once the models are loaded.
ALLOWED_FUNCTION_IMPORTS = {
    ("handover/accounts/apps.py", "ready"),
    ("handover/transfers/apps.py", "ready"),
    ("handover/web/apps.py", "ready"),
    ("handover/webhooks/apps.py", "ready"),
}


def _circles(graph: grimp.ImportGraph) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(component)

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_back_through_others():
    graph = grimp.build_graph("handover", cache_dir=None)
    assert [c for c in _circles(graph) if c not in ALLOWED_CIRCLES] == []


def test_no_import_hides_inside_a_function():
    hidden = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        name = f"handover/{path.relative_to(SOURCE)}"
        for function in ast.walk(ast.parse(path.read_text())):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom) and (name, function.name) not in (
                    ALLOWED_FUNCTION_IMPORTS
                ):
                    hidden.append(f"{name}:{node.lineno} in {function.name}()")
    # The tasks' imports of the services they call are the allowed pairs (see ALLOWED_CIRCLES).
    tasks = ("handover/transfers/tasks.py", "handover/webhooks/tasks.py")
    assert [h for h in hidden if not h.startswith(tasks)] == []


def test_tests_share_their_support_only_through_tests_support():
    tests = Path(__file__).resolve().parent
    borrowed = []
    for path in sorted(tests.rglob("*.py")):
        if "support" in path.relative_to(tests).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            module = (node.module or "") if isinstance(node, ast.ImportFrom) else ""
            if module.startswith("tests") and not module.startswith("tests.support"):
                borrowed.append(f"{path.relative_to(tests)}:{node.lineno} {module}")
    assert borrowed == []
