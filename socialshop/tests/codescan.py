"""Reading the project's own code as syntax trees, for the tests that hold a
rule to one owner (every status through the kernel, every stock write in
catalog/stock.py): which files count, and the strings a node names."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# tests and migrations build worlds and schemas; the rest is not Python we run
SKIPPED_DIRS = frozenset({"tests", "migrations", "node_modules", "static", "locale", "templates"})


def project_python_files(*, owner: Path) -> list[Path]:
    """The project's Python files (relative to the root), less the rule's
    ``owner``, tests, migrations, conftest and hidden folders (.venv …)."""
    files = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0].startswith(".") or SKIPPED_DIRS & set(relative.parts[:-1]):
            continue
        if relative == owner or relative.name == "conftest.py":
            continue
        files.append(relative)
    return files


def constant_strings(node: ast.AST) -> set[str]:
    """Every string literal inside ``node``."""
    return {child.value for child in ast.walk(node) if isinstance(child, ast.Constant) and isinstance(child.value, str)}
