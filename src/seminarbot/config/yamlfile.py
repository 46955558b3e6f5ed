"""Strict YAML reading shared by content and configuration.

Aliases are refused (no anchor bombs), files are size-capped, and every error names the file,
the key path and what was expected.
"""

from __future__ import annotations

import errno
import functools
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

from seminarbot.config.files import read_regular
from seminarbot.domain.near import near

MAX_BYTES = 2_000_000
JSON_INT_MAX = 2**53 - 1  # Matrix spec, canonical JSON: integers in [-(2**53)+1, 2**53-1]
SHARED_UP_TO = 64  # characters: texts this short are shared (_shared)


class YamlError(Exception):
    def __init__(self, file: str, key: str, problem: str) -> None:
        where = f"{file}: {key}: " if key else f"{file}: "
        super().__init__(where + problem)
        self.file, self.key, self.problem = file, key, problem


def unreadable(name: str, error: OSError) -> YamlError:
    """A file that cannot be read, or reached (a folder on its way this user may not enter, a
    name too long), in one line: what the system said, and for a refusal whose it must be."""
    whose = (f"; make it and the folders on its way readable by this process's user, uid "
             f"{os.getuid()}, gid {os.getgid()} (`chown` or `chmod`; for a file mounted from the "
             "host, on the host's side)") if error.errno in (errno.EACCES, errno.EPERM) else ""
    return YamlError(name, "", f"cannot read the file ({error.strerror}){whose}")


def load_yaml(path: Path, *, shown: str | None = None) -> Any:
    import yaml  # here, not above: `run` with its settings in the environment and its content
    # cached (syllabus.cache) reads no YAML, and PyYAML costs start-up time and memory.

    name = shown or str(path)
    try:
        raw = read_regular(path, MAX_BYTES)
    except OSError as error:
        raise unreadable(name, error) from None
    try:
        return _load(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise YamlError(name, "", "the file is not UTF-8 text") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        if isinstance(error, yaml.constructor.ConstructorError):  # its words quote the value,
            # which may be a secret the file never got to give (`token: !s3cret`)
            problem = ("a key that is a list or a mapping (`? [a]`): a key is a name"
                       if "unhashable" in str(error.problem)
                       else "a value beginning with ! is read as a YAML tag: quote it")
        raise YamlError(name, "", f"{where}not valid YAML ({problem})") from None


def _load(text: str) -> Any:
    import yaml

    # libyaml's parser, where PyYAML was built with it: ten times faster than the pure-Python
    # one, which is most of what loading the syllabus costs.
    c_loader: Any = getattr(yaml, "CSafeLoader", None)
    # libyaml composes in C, where no alias can be refused nor a repeated key seen: its events
    # are read first instead (PyYAML's own loader would keep a repeated key's last value too).
    _check_events(yaml.parse(text, Loader=c_loader or yaml.SafeLoader))
    if c_loader is None:
        return yaml.load(text, Loader=_no_alias_loader())
    return yaml.load(text, Loader=c_loader)


def _check_events(events: Iterator[Any]) -> None:
    """Refuse an alias, and a key that appears twice in one mapping (the last one would win
    silently: a second `matrix:` section dropped the first)."""
    import yaml

    # One entry per open collection: a mapping's keys so far (None for a sequence), and
    # whether a key comes next in it.
    stack: list[tuple[set[str] | None, list[bool]]] = []

    def fail(problem: str, event: Any) -> NoReturn:
        mark: Any = event.start_mark  # libyaml's Mark: the same line and column
        raise yaml.MarkedYAMLError("while reading", None, problem, mark)

    def placed() -> bool:
        """Whether the node starting now (a scalar, or a collection) is a key; its mapping
        then expects the other."""
        if not stack or stack[-1][0] is None:
            return False
        expecting = stack[-1][1]
        is_key = expecting[0]
        expecting[0] = not is_key
        return is_key

    for event in events:
        if isinstance(event, yaml.AliasEvent):
            fail("aliases (*name) are not allowed", event)
        elif isinstance(event, yaml.ScalarEvent):
            if placed():
                keys = stack[-1][0]
                assert keys is not None
                if event.value in keys:
                    fail(f"the key {event.value!r} appears twice", event)
                keys.add(event.value)
        elif isinstance(event, yaml.MappingStartEvent):
            placed()
            stack.append((set(), [True]))
        elif isinstance(event, yaml.SequenceStartEvent):
            placed()
            stack.append((None, [False]))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            stack.pop()


@functools.cache
def _no_alias_loader() -> Any:
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise yaml.MarkedYAMLError(
                    "while reading", None, "aliases (*name) are not allowed", event.start_mark
                )
            return super().compose_node(parent, index)

    return NoAliasLoader


class Node:
    """A mapping read from YAML, with typed getters that raise YamlError naming the key."""

    def __init__(self, value: Any, file: str, key: str = "") -> None:
        if not isinstance(value, dict):
            raise YamlError(file, key or "(top level)", f"expected a mapping, got {_kind(value)}")
        self.value: dict[Any, Any] = value
        self.file = file
        self.key = key
        self._read: set[str] = set()

    def _path(self, name: str) -> str:
        return f"{self.key}.{name}" if self.key else name

    def fail(self, name: str, problem: str) -> NoReturn:
        raise YamlError(self.file, self._path(name), problem)

    def has(self, name: str) -> bool:
        return self.value.get(name) is not None

    def _get(self, name: str, required: bool) -> Any:
        self._read.add(name)
        value = self.value.get(name)
        if value is None and required:
            self.fail(name, "is missing")
        return value

    def text(self, name: str, *, required: bool = True, default: str | None = None,
             numbers: bool = True) -> Any:
        """Text; a number read as its text unless `numbers` is False (a path: `1.5` is more
        likely a slip than a folder's name, which can be quoted)."""
        value = self._get(name, required)
        if value is None:
            return default
        if not numbers and isinstance(value, int | float) and not isinstance(value, bool):
            self.fail(name, f"expected text, got a number ({value}): quote a name that is one")
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(name, f"expected text, got {_kind(value)}")
        text = _shared(str(value).strip())
        if required and not text:
            self.fail(name, "must not be empty")
        return text

    def number(self, name: str, *, required: bool = True, default: int | None = None,
            minimum: int | None = None, maximum: int = JSON_INT_MAX) -> Any:
        """A whole number from `minimum` to `maximum` (by default the largest integer JSON
        carries exactly, as Matrix's canonical JSON requires: no setting is unbounded)."""
        value = self._get(name, required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, f"expected a whole number, got {_kind(value)}")
        if minimum is not None and value < minimum:
            self.fail(name, f"expected a number of at least {minimum}, got {value}")
        if value > maximum:
            self.fail(name, f"expected a number of at most {maximum}, got {value}")
        return value

    def switch(self, name: str, *, default: bool) -> bool:
        value = self._get(name, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(name, f"expected true or false, got {_kind(value)}")
        return value

    def text_list(self, name: str, *, required: bool = True) -> list[str]:
        value = self._get(name, required)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(name, f"expected a list, got {_kind(value)}")
        for index, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                raise YamlError(self.file, f"{self._path(name)}[{index}]",
                                f"expected text, got {_kind(item)}")
        return [_shared(str(item).strip()) for item in value]

    def names(self) -> list[str]:
        """The mapping's own keys, as text, sorted."""
        return sorted(_shared(str(key)) for key in self.value)

    def child(self, name: str, *, required: bool = True) -> Node | None:
        value = self._get(name, required)
        if value is None:
            return None
        return Node(value, self.file, self._path(name))

    def children(self, name: str) -> Iterator[Node]:
        value = self._get(name, True)
        if not isinstance(value, list):
            self.fail(name, f"expected a list, got {_kind(value)}")
        for index, item in enumerate(value):
            yield Node(item, self.file, f"{self._path(name)}[{index}]")

    def finish(self) -> None:
        """Refuse keys nobody asked for: a typo must not be silently ignored."""
        unknown = sorted(str(k) for k in self.value if str(k) not in self._read)
        if unknown:
            known = ", ".join(sorted(self._read))
            close = near(unknown[0].lower(), sorted(self._read), cutoff=0.75)
            meant = f"did you mean {close[0]}? " if close else ""  # helper-190's 9
            self.fail(unknown[0], f"unknown key ({meant}known keys here: {known})")


def _shared(text: str) -> str:
    """Short texts (ids, kinds, labels) as one object each: the syllabus repeats them (a
    section's id in every locator and entry that cites it), and its cache pickles an object
    once however often it is referred to. About 100 KB of the bot's memory."""
    return sys.intern(text) if len(text) <= SHARED_UP_TO else text


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)
