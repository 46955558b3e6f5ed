"""Text command lines (console, Matrix) → a command and typed arguments.

Double quotes (straight or curly) group words; apostrophes never do, so free text such as
"Lenin's turn" needs no quoting. The last parameter may take the rest of the line as typed (a
response's text: its quotes and any --option in it included, but its own name given first)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, NoReturn

from seminarbot.core.apart import Token, ascii_digits, joined, reads
from seminarbot.core.commands import Command, Param
from seminarbot.core.registry import Registry
from seminarbot.domain.display import embedded
from seminarbot.domain.errors import BadArgument, BadUsage, UserError
from seminarbot.domain.typed import as_typed, quoted_typed

_QUOTES = {'"': '"', "“": "”", "„": "“", "«": "»"}
# Smart punctuation (iOS, macOS) turns a typed "--" into an em or an en dash.
_SMART_DASHES = ("—", "–")
MAX_LINE = 25_000
# Where a mention of a person begins in a line (a Matrix user pill): where it ends, and the
# platform id it names. Read only as the value of an option that names a participant
# (Param.names_person); everywhere else the line's text counts, as typed.
Mentions = Mapping[int, tuple[int, str]]
NO_MENTIONS: Mentions = {}


def tokenize(line: str, mentions: Mentions = NO_MENTIONS) -> list[Token]:
    """The line's words, a quoted phrase one word; a mention whole within one word whatever
    it holds (a name with a quote or a space in it: `--participant=Ann Smith`)."""
    tokens: list[Token] = []
    i, n = 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
            continue
        start = i
        if line[i] in _QUOTES and i not in mentions:
            close = _QUOTES[line[i]]
            end = line.find(close, i + 1)
            if end == -1:
                end = n
            tokens.append(Token(line[i + 1 : end], start, min(end + 1, n)))
            i = end + 1
            continue
        while i < n and not line[i].isspace():
            if line[i] == "=" and line[i + 1 : i + 2] in _QUOTES and i + 1 not in mentions \
                    and line[start:i].startswith(("--", *_SMART_DASHES)):
                break  # `--since="9 March 2026"`: the option's value is quoted
            i = min(max(mentions[i][0], i + 1), n) if i in mentions else i + 1
        if i < n and line[i] == "=":
            end = line.find(_QUOTES[line[i + 1]], i + 2)
            end = n if end == -1 else end
            tokens.append(Token(line[start : i + 1] + line[i + 2 : end], start, min(end + 1, n)))
            i = end + 1
            continue
        tokens.append(Token(line[start:i], start, i))
    return tokens


def parse_line(registry: Registry, line: str, prefix: str = "", mentions: Mentions = NO_MENTIONS
               ) -> tuple[Command, dict[str, str]]:
    """Find the command a line names (typed after `prefix`, which counts towards MAX_LINE as
    it was typed) and split out its raw (still untyped) arguments."""
    if len(prefix) + len(line) > MAX_LINE:
        raise UserError(f"That line is {len(prefix) + len(line):,} characters long; the limit "
                        f"is {MAX_LINE:,}.")
    tokens = tokenize(line, mentions)
    command, used = registry.resolve([t.text for t in tokens])
    return command, split_arguments(command, line, tokens[used:], _after(tokens, used),
                                    mentions)


def is_command(registry: Registry, line: str, prefix: str, today: date | None = None,
               mentions: Mentions = NO_MENTIONS) -> bool:
    """Whether a typed line (its prefix taken off) is a well-formed command: it names a command
    as declared (in lower case, "!Term limits" does not), its arguments all bind (a response's
    text included: core.params.Words), and one that names a command names one (or a group of
    them: `help seminar`). Where a message may also be a participant's words (a prompt's
    thread on Matrix), only such a line is taken for a command."""
    if len(prefix) + len(line) > MAX_LINE:
        return False
    tokens = tokenize(line, mentions)
    try:
        command, used = registry.resolve([t.text for t in tokens])
        if [t.text for t in tokens[:used]] != list(command.path):
            return False
        values = bind(command, split_arguments(command, line, tokens[used:], _after(tokens, used),
                                               mentions), today)
        for param in command.params:
            named = values.get(param.name)
            if param.names_command and named and not registry.named_group(named, prefix):
                registry.named(named, prefix)
    except UserError:
        return False
    return True


def _after(tokens: list[Token], used: int) -> int:
    """Where the arguments begin: after the words naming the command."""
    return tokens[used - 1].end if used else 0


class _NamedLater(Exception):
    """A positional parameter took a word in place and is given by name later in the line."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def split_arguments(command: Command, line: str, tokens: list[Token], after: int = 0,
                    mentions: Mentions = NO_MENTIONS) -> dict[str, str]:
    """Positional words in order, `--name value` / `--name=value` / `--flag` anywhere before
    free text; free text (the last parameter, `rest`) is the remainder of the line verbatim,
    leading dashes and quotes included. A word left over is an error showing the usage.
    A positional parameter given by name before its place takes no word there; given by name
    after a word in its place that it cannot read, neither: `reminders on --before 12h` gives
    `on` to DIGEST, where `reminders 1d --before 12h` gives BEFORE twice. `after`: where the
    arguments begin in `line`."""
    named: set[str] = set()
    while True:  # once more for each parameter found given by name after its place
        try:
            return _split(command, line, list(tokens), after, mentions, frozenset(named))
        except _NamedLater as later:
            named.add(later.name)


def _split(command: Command, line: str, tokens: list[Token], after: int, mentions: Mentions,
           named: frozenset[str]) -> dict[str, str]:
    """split_arguments, the parameters in `named` taking no word in place."""
    raw: dict[str, str] = {}
    positional = [p for p in command.params if not p.is_flag and not p.option]
    by_name = {p.name: p for p in command.params}
    index = position = 0
    placed: set[str] = set()  # given in place, not by name
    in_place: list[tuple[Param, int]] = []  # each, and where its word begins
    while index < len(tokens):
        token = tokens[index]
        # A positional parameter given by name (`--session 2`) takes no word of its own: the
        # next word is the next parameter's, never a second value replacing it.
        position = _next_open(positional, position, raw, named)
        if position < len(positional) and positional[position].rest:
            raw[positional[position].name] = _free_text(positional[position], token, line)
            break
        option = as_option(token, line)
        if option is not None:
            tokens[index] = option
            index = _option(command, by_name, tokens, index, raw, mentions, placed)
            continue
        if position >= len(positional):
            _too_many(command, line, token.start, raw, in_place)
        following = _next_open(positional, position + 1, raw, named)
        in_place.append((positional[position], token.start))
        index += joined(positional[position], tokens, index,
                        positional[following] if following < len(positional) else None)
        raw[positional[position].name] = _typed(positional[position], tokens[index].text)
        placed.add(positional[position].name)
        position += 1
        index += 1
    if position < len(positional) and positional[position].rest \
            and positional[position].name not in raw:
        # Free text of spaces no space bar types (no-break, ideographic), which tokenize passed
        # over: kept, for its parameter to say what it expects (core.params.Words).
        unseen = line[tokens[-1].end if tokens else after :].strip(" \t\r\n")
        if unseen:
            raw[positional[position].name] = unseen
    return raw


def _too_many(command: Command, line: str, start: int, raw: Mapping[str, str],
              in_place: list[tuple[Param, int]]) -> NoReturn:
    """Refused: the words past the last parameter, from the first one an optional parameter
    took but cannot read (`setup tue 19:00 UTC extra words`: both, not `words` alone)."""
    for param, begins in reversed(in_place):
        if param.required or reads(param, raw[param.name]):
            break
        start = begins
    extra = line[start:].strip()
    shown = extra if len(extra) <= 40 else extra[:40] + "…"
    raise BadUsage(f"Too many arguments for `{command.name}`: {quoted_typed(shown)}. "
                    f"Usage: {command.usage()}")


def _next_open(positional: list[Param], position: int, raw: Mapping[str, str],
               named: frozenset[str]) -> int:
    """The first place from `position` whose parameter is not given already or by name."""
    while position < len(positional) and (positional[position].name in raw
                                          or positional[position].name in named):
        position += 1
    return position


def as_option(token: Token, line: str) -> Token | None:
    """The token as `--name[=value]` if it is an option: typed with two hyphens, or with the
    one dash smart punctuation makes of them, before a letter; never a quoted word."""
    if line[token.start] in _QUOTES:
        return None
    if token.text.startswith("--") and len(token.text) > 2:
        return token
    if token.text[:1] in _SMART_DASHES and token.text[1:2].isascii() \
            and token.text[1:2].isalpha():
        return Token("--" + token.text[1:], token.start, token.end)
    return None


def _free_text(param: Param, token: Token, line: str) -> str:
    """The rest of the line from `token`, after the parameter's own name if it is (helper-153)."""
    option = as_option(token, line)
    name, equals, _ = option.text[2:].partition("=") if option else ("", "", "")
    if name.replace("-", "_") != param.name:  # as every option's name: `--Text` is no name
        return line[token.start :].strip()
    return line[token.start + token.text.index("=") + 1 if equals else token.end :].strip()


def _option(command: Command, by_name: Mapping[str, Param], tokens: list[Token], index: int,
            raw: dict[str, str], mentions: Mentions, placed: set[str]) -> int:
    """Read the option at `index` (and its value) into `raw`; the index after it. Raises
    _NamedLater for a parameter `placed` (given in place) before."""
    token = tokens[index]
    name, _, value = token.text[2:].partition("=")
    param = by_name.get(name.replace("-", "_"))
    if param is None or param.rest:  # free text given by name comes last (helper-155's 4)
        known = ", ".join("--" + p.name for p in command.params if not p.rest) or "none"
        shown = name if len(name) <= 40 else name[:40] + "…"
        said = f"`--{param.name}` takes the rest of the line, so it comes last" if param else \
            f"`{command.name}` has no option --{as_typed(embedded(shown))}. Its options: {known}"
        raise BadUsage(f"{said}. Usage: {command.usage()}")
    if param.name in placed and not reads(param, raw[param.name]):
        raise _NamedLater(param.name)  # its word in place was meant for the next one
    if param.name in raw:  # which of the two was meant?
        raise BadUsage(f"`--{param.name}` is given twice; give it once. Usage: "
                        f"{command.usage()}")
    mention = mentions.get(token.end - len(value)) if value else None  # `--name=…`
    following = tokens[index + 1].text if index + 1 < len(tokens) else ""
    if param.is_flag and not value and following \
            and reads(param, following):  # `--names off` as `--names=off` (helper-165's 2)
        index, value = index + 1, following
    elif value and not param.is_flag:  # `--since=9 March 2027`: its value goes on
        tokens[index] = Token(value, token.end - len(value), token.end)
        index += joined(param, tokens, index)
        value = tokens[index].text
    elif not param.is_flag:
        index += 1
        if index >= len(tokens):
            raise BadArgument(param.name, param.type.expected)  # said as missing
        index += joined(param, tokens, index, next((  # the parameter whose word may come next
            p for p in command.params if not p.is_flag and not p.option and p.name not in raw
            and p is not param), None))
        token = tokens[index]
        quoted = token.end - token.start > len(token.text)  # its quotes are not its text
        mention = mentions.get(token.start) or (mentions.get(token.start + 1) if quoted else None)
        value = _typed(param, token.text)
    if mention is not None and param.names_person:  # the id it names (tokenize: one word)
        value = mention[1]
    raw[param.name] = value
    return index + 1


def _typed(param: Param, word: str) -> str:
    """A word given for `param`: "" typed as such is refused, where bind would take an empty
    value for none given (and an optional parameter's default)."""
    if not word:
        raise BadArgument(param.name, param.type.expected, word)
    return word


# The kinds whose text is read as numbers (bind gives them ascii_digits of what was typed).
NUMERIC_KINDS = frozenset({"integer", "duration", "time", "date"})


def bind(command: Command, raw: Mapping[str, str | None], today: date | None = None
         ) -> dict[str, Any]:
    """Type every argument, fill defaults, and name the first missing or bad one. `today`
    (the invoking clock's date) anchors bounds such as dates within ten years."""
    values: dict[str, Any] = {}
    for param in command.params:
        given = raw.get(param.name)
        if given is None or (given == "" and not param.is_flag):
            if param.required and not param.is_flag:
                raise BadArgument(param.name, param.type.expected, hint=f"Usage: {command.usage()}")
            values[param.name] = False if param.is_flag and param.default is None else param.default
            continue
        typed = given
        if param.type.kind in NUMERIC_KINDS or getattr(param.type, "numbered", False):
            given = ascii_digits(given)
        try:
            values[param.name] = param.type.parse(given, param.name, today)
        except BadArgument as refused:
            if given == typed or refused.got != given:
                raise
            # quoted as typed (`２５：００`, `٢٥:٠٠`), not as its digits were read
            raise BadArgument(refused.param, refused.expected, typed, refused.hint) from None
    unknown = set(raw) - {p.name for p in command.params}
    if unknown:
        raise BadUsage(f"`{command.name}` has no parameter {quoted_typed(sorted(unknown)[0])}.")
    return values
