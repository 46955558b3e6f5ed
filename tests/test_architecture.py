"""The shape docs/ARCHITECTURE.md describes, checked: imports point down the layers (the
contracts in pyproject.toml, read by import-linter), SQL is written only in storage/, and
modules and functions stay small."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "seminarbot"
# SQL as it is written, in any case, anywhere in a string: a statement's shape, not a lone word
# ("Select a session" is prose).
SQL = re.compile(r"\bselect\b.+\bfrom\b|\b(?:insert|replace)(?:\s+or\s+\w+)?\s+into\b|"
                 r"\bupdate\s+\w+\s+set\b|\bdelete\s+from\b|"
                 r"\b(?:create|drop|alter)\s+(?:temp\s+)?(?:table|index|view|trigger)\b|"
                 r"\bpragma\s+\w+|^\s*(?:begin|commit|rollback|vacuum)(?:\s+\w+)?\s*;?\s*$|"
                 r"^\s*(?:savepoint|release(?:\s+savepoint)?|rollback\s+to)\s+\w+\s*$|"
                 r"\battach\s+(?:database\s+)?['\"?:]",
                 re.IGNORECASE | re.DOTALL)
# What only a database connection is asked to do.
DB_CALLS = {"execute", "executemany", "executescript", "fetchone", "fetchall", "fetch_tuples",
            "scalar", "execute_fetchall"}
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60


def test_every_feature_and_platform_setting_is_under_its_contract() -> None:
    contracts = {c["id"]: c for c in tomllib.loads(
        (ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]}
    # Every module that declares commands; modules that declare none are what features share.
    features = {f"seminarbot.features.{p.stem}" for p in (PACKAGE / "features").glob("*.py")
                if "\ndef commands()" in p.read_text(encoding="utf-8")}
    assert set(contracts["features-apart"]["modules"]) == features
    settings = {f"seminarbot.adapters.{p.parent.name}.settings"
                for p in (PACKAGE / "adapters").glob("*/settings.py")}
    assert set(contracts["platform-settings-light"]["source_modules"]) == settings


def test_imports_keep_to_the_layers() -> None:
    # In a process of its own: import-linter reconfigures logging, which would silence the
    # loggers of every later test in this one.
    result = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache",
                             "--no-logo", str(ROOT / "pyproject.toml")], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def sql_outside_storage(source: str) -> list[int]:
    """Lines of string literals (docstrings aside; "a" + "b" joined) that hold SQL, and of
    calls that only a database connection answers."""
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                                | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    found = set()
    for node in ast.walk(tree):
        text = _literal(node)
        if text is not None and id(node) not in docstrings and SQL.search(text):
            found.add(node.lineno)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in DB_CALLS):
            found.add(node.lineno)
    return sorted(found)


def _literal(node: ast.AST) -> str | None:
    """The text of a string literal, of an f-string's literal parts, or of "a" + "b"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value for part in node.values
                       if isinstance(part, ast.Constant) and isinstance(part.value, str))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left), _literal(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def test_the_sql_finder_finds_sql() -> None:
    source = ('"""SELECT in a docstring is prose."""\n'
              'def f(db):\n    return db.scalar("SELECT COUNT(*) FROM responses")\n'
              'g = f"DELETE FROM x WHERE id = {1}"\nh = "Select a session"\n'
              'i = "select count(*) from r"\nj = "(SELECT 1 FROM r)"\n'
              'k = "SELECT" + " id FROM r"\nm = "REPLACE INTO r VALUES (1)"\n'
              'n = conn.fetchall()\no = "Attach Files"\np = "ROLLBACK TO fresh"\n')
    assert sql_outside_storage(source) == [3, 4, 6, 7, 8, 9, 10, 12]


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


# What `run` has not loaded when it is ready (docs/ARCHITECTURE.md): the commands' machinery.
RUN_LEAVES_FOR_LATER = [
    "seminarbot.core.commands", "seminarbot.core.params", "seminarbot.core.parsing",
    "seminarbot.core.apart",
    "seminarbot.core.dispatch", "seminarbot.core.completion",
    "seminarbot.features.help", "seminarbot.adapters.discord.slash",
    "seminarbot.adapters.discord.interactions",
    # … nor what only commands read: the glossary, the companion, the limits.
    "seminarbot.domain.glossary", "seminarbot.domain.companion",
    "seminarbot.core.limits", "seminarbot.storage.stats",
    "seminarbot.storage.passages",
    # … nor the sync of scheduled events, until a cohort has events to sync.
    "seminarbot.services.session_events",
    # … nor a new edition's rules, until a cohort is not yet set against it.
    "seminarbot.scheduling.plan_change",
    # … nor the time zones (zoneinfo reads Python's whole build configuration
    # for its search path, 0.4–0.7 MB): the first post or command needing one does.
    "zoneinfo"]


def test_what_run_loads_to_take_in_responses_holds_no_command_machinery() -> None:
    """docs/ARCHITECTURE.md: the commands' machinery loads with the first command. Everything
    `run` imports before it is ready (cli.run's worker loads the app; each adapter's bot)
    leaves the declarations, parsing, dispatch and the features unloaded."""
    script = ("import sys\n"
              "import seminarbot.cli.main, seminarbot.cli.run, seminarbot.app\n"
              "import seminarbot.storage.recorded, seminarbot.syllabus.cache\n"
              "import seminarbot.adapters.discord.bot, seminarbot.adapters.matrix.bot\n"
              "import seminarbot.adapters.matrix.start, seminarbot.adapters.discord.client\n"
              f"print([m for m in {RUN_LEAVES_FOR_LATER!r} if m in sys.modules])\n")
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True, cwd=ROOT)
    assert found.stdout.strip() == "[]", found.stderr
    # … and they are there once asked for: the registry reads the declarations.
    check = subprocess.run([sys.executable, "-c", "import seminarbot.app as a\n"
                            "from seminarbot.core.registry import Registry\n"
                            "print(len(Registry(a.all_commands)) > 20)"],
                           capture_output=True, text=True, check=True, cwd=ROOT)
    assert check.stdout.strip() == "True"
