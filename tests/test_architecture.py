"""The shape docs/ARCHITECTURE.md describes, checked: imports point down the layers (the
contracts in pyproject.toml, read by import-linter), SQL is written only in storage/, and
modules and functions stay small."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "seminarbot"
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|BEGIN|COMMIT|"
                 r"ROLLBACK|SAVEPOINT|RELEASE|WITH|VACUUM|ATTACH)\s", re.MULTILINE)
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60


def test_imports_keep_to_the_layers() -> None:
    # In a process of its own: import-linter reconfigures logging, which would silence the
    # loggers of every later test in this one.
    result = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache",
                             "--no-logo", str(ROOT / "pyproject.toml")], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def sql_outside_storage(source: str) -> list[int]:
    """Lines of string literals (docstrings aside) that are SQL statements."""
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                                | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return sorted(node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings and SQL.search(node.value))


def test_the_sql_finder_finds_sql() -> None:
    source = ('"""SELECT in a docstring is prose."""\n'
              'def f(db):\n    return db.scalar("SELECT COUNT(*) FROM responses")\n'
              'g = f"DELETE FROM x WHERE id = {1}"\nh = "Select a session"\n')
    assert sql_outside_storage(source) == [3, 4]


def test_sql_is_written_only_in_storage() -> None:
    found = [f"{path.relative_to(ROOT)}:{line}"
             for path in sorted(PACKAGE.rglob("*.py"))
             if PACKAGE / "storage" not in path.parents
             for line in sql_outside_storage(path.read_text(encoding="utf-8"))]
    assert found == []


def test_modules_and_functions_stay_small() -> None:
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT)
        if source.count("\n") > MAX_MODULE_LINES:
            too_long.append(f"{where}: {source.count(chr(10))} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{where}: {node.name}() {length} lines")
    assert too_long == []
