"""The command line every benchmark script shares.

- Arguments are checked before anything runs: a bad one is one sentence from argparse naming
  the parameter and what it expects (`--pairs: expected a whole number ≥ 1, got '0'`), exit 2.
- `--json PATH` is checked for being writable at the start, not after the run.
- `main` compiles src/ to bytecode first (as `make bench` does), so that a script run directly
  under PYTHONDONTWRITEBYTECODE does not measure the bot compiling itself at every start.
- Ctrl-C ends the run with one line and exit 130, a failure with one line and exit 1 (set
  BENCH_TRACEBACK=1 for the traceback). Cleanups in `finally` blocks have run by then; the
  process then exits at once, so a thread left behind by a failed run cannot keep it alive.
"""

from __future__ import annotations

import argparse
import compileall
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_PAIRS = 5
SRC = Path(__file__).resolve().parents[1] / "src"


def whole(least: int = 1, multiple_of: int = 1) -> Callable[[str], int]:
    """An argparse type: an int ≥ `least` (and a multiple of `multiple_of`), else one sentence."""
    expects = f"a whole number ≥ {least}" + (
        f" that is a multiple of {multiple_of}" if multiple_of > 1 else "")

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expects}, got {text!r}") from None
        if value < least or value % multiple_of:
            raise argparse.ArgumentTypeError(f"expected {expects}, got {text!r}")
        return value

    return parse


def seconds(text: str) -> float:
    """An argparse type: a number of seconds > 0."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, got {text!r}")
    return value


def writable_file(text: str) -> str:
    """An argparse type: a path a file can be written at (its folder exists and is writable)."""
    path = Path(text)
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a file path, got an empty one")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"expected a file path, got the folder {text!r}")
    folder = path.parent
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"expected a file in an existing folder; {folder} "
                                         "does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise argparse.ArgumentTypeError(f"expected a file this user can write; {text!r} "
                                         "cannot be written")
    return text


def parser(description: str | None, *, pairs: int = DEFAULT_PAIRS,
           what_pairs: str = "interleaved pairs") -> argparse.ArgumentParser:
    """A benchmark's parser with the two arguments every one takes: --json and --pairs."""
    made = argparse.ArgumentParser(description=description,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    made.add_argument("--json", metavar="PATH", type=writable_file,
                      help="also write the figures here, as JSON (run_all.py reads it)")
    made.add_argument("--pairs", type=whole(), default=pairs,
                      help=f"{what_pairs}, each counted (default {pairs})")
    return made


@contextmanager
def scratch(prefix: str) -> Iterator[Path]:
    """A temporary folder, removed however the block ends."""
    with tempfile.TemporaryDirectory(prefix=prefix, ignore_cleanup_errors=True) as folder:
        yield Path(folder)


def main(body: Callable[[], object]) -> None:
    """Run a benchmark's body: one line and exit 130 on Ctrl-C, one line and exit 1 on a
    failure, never a traceback unless BENCH_TRACEBACK=1."""
    name = Path(sys.argv[0]).name
    try:
        compileall.compile_dir(SRC, quiet=2)
        body()
    except KeyboardInterrupt:
        _leave(f"{name}: interrupted; no figures were written", 130)
    except Exception as error:  # the one boundary: a sentence, not a traceback
        if os.environ.get("BENCH_TRACEBACK"):
            traceback.print_exc()
        lines = str(error).strip().splitlines()
        detail = f": {lines[0]}" + (f" … {lines[-1]}" if len(lines) > 1 else "") if lines else ""
        _leave(f"{name}: failed: {type(error).__name__}{detail}"
               + ("" if os.environ.get("BENCH_TRACEBACK") else
                  " (BENCH_TRACEBACK=1 shows where)"), 1)


def _leave(line: str, status: int) -> None:
    print(line, file=sys.stderr, flush=True)
    sys.stdout.flush()
    os._exit(status)  # a worker thread a failed run left behind must not keep the process up
