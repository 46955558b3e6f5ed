"""The command line's parser: help written as any other output, every usage error one line
that points to the subcommand's --help (README, Command line)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from seminarbot.cli import boundary, stopping
from seminarbot.cli.exits import EXIT_CONFIG
from seminarbot.domain.display import is_unicode

if TYPE_CHECKING:
    from _typeshed import SupportsWrite


class Parser(argparse.ArgumentParser):
    """argparse's parser, whose help is written as any other output: argparse itself drops an
    error writing it (a full or closed standard output), where the boundary should say it.
    Options are taken as spelled (no `--coh` for `--cohort`), each once: argparse would guess
    the one meant, or let the last of two win."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "allow_abbrev": False})

    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None
                         ) -> tuple[argparse.Namespace, list[str]]:
        args = self._ends_options(list(sys.argv[1:] if args is None else args))
        seen: set[str] = set()
        for word in args:
            if word == "--":
                break
            name, equals, value = word.partition("=")
            if word.startswith("--") and name in self._option_string_actions:
                if name in seen:
                    self.error(f"argument {name}: given twice; give it once")
                seen.add(name)
                if equals and value == "--":  # argparse (3.11) would give it an empty list
                    self.error(f"argument {name}: expected one argument, and '--' only ends "
                               "the options (a file of that name is ./--)")
        return super().parse_known_args(args, namespace)

    def _ends_options(self, words: list[str]) -> list[str]:
        """`words` without a `--` that only ends the options: the last word, or one before the
        subcommand's name (of a parser that has subcommands), where argparse (3.11) takes the
        first for an argument nobody asked for and the second for the subcommand's name;
        POSIX's utility syntax guidelines (10) make both mean "no option follows". After an
        option that takes a value, it is that value (argparse refuses it); an option after
        it is no subcommand's name, and is refused as one."""
        if "--" not in words:
            return words
        at = words.index("--")
        before = self._option_string_actions.get(words[at - 1]) if at else None
        if before is not None and before.nargs != 0:
            return words
        chooser = next((action for action in self._actions
                        if isinstance(action, argparse._SubParsersAction)), None)
        after = words[at + 1 :]
        if chooser is not None and not set(chooser.choices) & set(words[:at]):
            if after and after[0].startswith("-"):
                self.error(f"argument {chooser.metavar}: invalid choice: {after[0]!r}: after "
                           "--, a word is the command's name")
            return words[:at] + after
        return words[:at] if not after else words

    def print_help(self, file: SupportsWrite[str] | None = None) -> None:
        boundary.standard_output(file).write(self.format_help())

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        """argparse's exit, its message written as every line on standard error is
        (cli.standard_error: never waiting long for a stream nobody reads)."""
        if message:
            from seminarbot.cli import standard_error

            stopping.settle()  # a usage error's status is decided: a stop changes nothing
            standard_error.write(message)
        raise SystemExit(status)

    def error(self, message: str, command: str | None = None) -> NoReturn:
        """One line, as every failure is (README, Command line), where argparse prints the
        usage first; the usage is a --help away (the subcommand's, where it is `command`)."""
        usage = " ".join(filter(None, (self.prog, command)))
        self.exit(EXIT_CONFIG, f"{self.prog}: error: {message} ({usage} --help shows the usage)\n")


# Every argument that names a file, as each subcommand declares it; the subcommands' names.
_PATHS = {"config": "--config", "db": "--db", "out": "--out", "path": "PATH", "file": "FILE",
          "texts": "--texts"}
_NOT_STREAMS = frozenset({"config", "db", "texts"})
_COMMANDS = ("command", "db_command", "content_command")


def parse(parser: Parser, argv: Sequence[str] | None, parsed: list[argparse.Namespace]) -> int:
    """The arguments into `parsed`, or what was printed instead: help, the version, a usage
    error (argparse's exit status)."""
    try:
        args, extra = parser.parse_known_args(argv)
        command = " ".join(getattr(args, name) for name in _COMMANDS if getattr(args, name, None))
        if extra:  # argparse's own error points to the top --help, not the subcommand's
            words = list(sys.argv[1:] if argv is None else argv)
            at = words.index(extra[0]) if extra[0] in words else len(words)
            before = args.command is None or at < words.index(args.command)
            parser.error(f"unrecognized arguments: {' '.join(extra)}", None if before else command)
        listed = [name for name, value in vars(args).items() if isinstance(value, list)]
        if listed:  # argparse's own way to read an option's value as none (a safety net)
            parser.error(f"argument {listed[0]}: expected one argument", command)
        for name, said in _PATHS.items():  # an empty one would mean the current folder
            given = getattr(args, name, None)
            kind = "folder" if name == "texts" else "file"  # (helper-179: --texts '')
            if isinstance(given, str) and not given.strip():
                parser.error(f"{said} expects the path of a {kind}, and it is "
                             f"{'blank' if given else 'empty'}",
                             None if name == "config" else command)  # the top parser's
            if given == "-" and name in _NOT_STREAMS:  # export's --out - is standard output
                parser.error(f"{said} expects the path of a {kind}; `-` (standard input or "
                             "output) cannot be one", None if name == "config" else command)
        if not all(is_unicode(v) for v in vars(args).values() if isinstance(v, str)):
            parser.error("an argument holds bytes that are not UTF-8: give it as UTF-8 text",
                         command)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else EXIT_CONFIG
    if args.version:
        from seminarbot import __version__

        boundary.standard_output(None).write(f"{__version__}\n")
        return 0
    if args.command is None:
        parser.print_help()
        return 0
    parsed.append(args)
    return 0
