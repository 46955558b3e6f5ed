"""What forget-me finds of a person in an audit log entry (storage.audit): the arguments that
typed one of their names, the words a typed line or a refusal's reason gives of them; never
another person's name, nor the bot's own words."""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Sequence
from typing import Any

from seminarbot.domain.display import DEFAULT_IGNORABLE
from seminarbot.domain.textfold import SURROUNDING, name_key

FORGOTTEN = "[forgotten]"  # in place of a forgotten person's name or id, wherever it was
SPILLED = 3  # the arguments after `participant` a name's further words may have gone into

# A value quoted in one of our sentences (a refusal's reason quotes what was typed)
# (an apostrophe within a word, "month's", opens and closes nothing)
_QUOTES = "\"'`“”‘’«»"  # what the parser takes a quoted phrase in (core.parsing)
_NAMED_PARAM = re.compile(r"`-{0,2}(\w+)`")  # a reason names the parameter it is about
_QUOTED = re.compile(r"(?<!\w)'([^']*)'(?!\w)|\"([^\"]*)\"|`([^`]*)`|‘([^’]*)’|“([^”]*)”")


def core(text: str) -> str:
    """A name or value without what surrounds it (`@name`, `` `name` ``, "name,"), its spaces
    one each, as names are compared (domain.textfold.name_key: a decomposed é, ß and SS); a
    name of punctuation alone (`?!`) as it is (helper-198's 3, 4)."""
    spaced = " ".join(text.split())
    return name_key(spaced.strip(SURROUNDING)) or name_key(spaced)


def scrubbed(detail: dict[str, Any], cores: set[str], named: Sequence[str],
             participant_id: int | None, known: frozenset[str]) -> dict[str, Any]:
    """`detail` with its mentions of the person (`cores` of `named`, `participant_id`) made
    FORGOTTEN; `known`: everyone's names and ids (theirs too), as cores."""
    cleaned: dict[str, Any] = json.loads(json.dumps(detail))  # a copy, nested parts too
    found = cleaned.get("participant_id")
    args = cleaned.get("args")
    args = args if isinstance(args, dict) else {}
    typed = args.get("participant")
    # About them: it found them, or it found no one else and names them as they are named
    spilled = _spilled(cleaned, args, cores, known) if "person_words" in cleaned else None
    if found is not None and found == participant_id and isinstance(
            cleaned.get("person_words"), list):  # the words that found them are theirs
        cleaned["person_words"] = [[FORGOTTEN] for _ in cleaned["person_words"]]
    keys = (["participant"] if found == participant_id else []) if found is not None else \
        spilled if spilled is not None else _typed_name(args, cores, known, set(
            _NAMED_PARAM.findall(str(cleaned.get("reason", "")))))
    if isinstance(typed, str) and keys:
        pieces = [args[key] for key in keys]
        said = {*cores, *map(core, pieces)}
        reason = cleaned.get("reason")
        if isinstance(reason, str):
            gone: set[str] = set()
            cleaned["reason"] = _typed_out(cleaned, said, set(), gone) \
                if "reason_typed_at" in cleaned else \
                _mentions_out(reason, said, [*named, *pieces], gone)
            # the argument the reason is about, if it quoted it as theirs (`--since NAME`),
            # none merely alike (helper-197's 4: `--participant Csv csv` lost its format)
            about = set(_NAMED_PARAM.findall(reason))
            args.update({key: FORGOTTEN for key, value in args.items()
                         if key in about and isinstance(value, str) and core(value) in gone})
        args.update(dict.fromkeys(keys, FORGOTTEN))
        if found is not None:
            cleaned["participant_id"] = FORGOTTEN
    line = args.get("line")  # words that fit no command's usage, kept whole (core.dispatch)
    if isinstance(line, str):
        args["line"], places, gone = _line_scrubbed(line, cleaned.get("person_at"), cores,
                                                    known)
        if places:
            cleaned["person_at"] = places
        if gone and isinstance(cleaned.get("reason"), str):
            cleaned["reason"] = _typed_out(cleaned, cores, gone, set()) \
                if "reason_typed_at" in cleaned else \
                _QUOTED.sub(lambda quote: _quote_scrubbed(quote, gone), cleaned["reason"])
    scope = cleaned.get("scope")
    if isinstance(scope, dict) and participant_id is not None \
            and scope.get("participant") == participant_id:
        scope["participant"] = FORGOTTEN
    if isinstance(cleaned.get("requested_by"), str) and core(cleaned["requested_by"]) in cores:
        cleaned["requested_by"] = FORGOTTEN
    return cleaned


def _spilled(cleaned: dict[str, Any], args: dict[str, Any], cores: set[str],
             known: frozenset[str]) -> list[str]:
    """The arguments that hold one of the person's names, read from the words typed after
    `--participant` in order (core.dispatch's `person_words`; `--participant Ann Evans` binds
    Evans to the session): the longest name of anyone's they begin with decides whose it is
    (helper-199's 1-3: Ann, then `--until Evans`, is Ann's). Those words become FORGOTTEN in
    `person_words` too."""
    runs = cleaned["person_words"]
    if not isinstance(runs, list):
        return []
    keys: list[str] = []
    for run in runs:
        words = [str(word).strip(_QUOTES) for word in run] if isinstance(run, list) else []
        if count := _theirs(words, cores, known):
            # the first word is the argument's; the rest ran on into those after it
            rest = {core(word) for word in words[1:count]}
            keys += ["participant", *(key for key, value in args.items() if key != "participant"
                                      and isinstance(value, str) and core(value) in rest)]
            run[:count] = [FORGOTTEN]
    return list(dict.fromkeys(keys))


def _theirs(words: list[str], cores: set[str], known: frozenset[str]) -> int:
    """How many of `words`, typed after `--participant`, make one of the person's names:
    the longest name of anyone's (`known`, theirs among them) that they begin with decides;
    0 if that is another's, or none. At most the words of the longest name are read, so a
    long line costs no more (helper-198's 10)."""
    longest = _longest(known)
    for count in range(min(len(words), longest), 0, -1):
        name = core(" ".join(words[:count]))
        if name in known:
            return count if name in cores else 0
    return 0


@functools.lru_cache(maxsize=4)
def _longest(names: frozenset[str]) -> int:
    """The most words a name of `names` has (one forget-me reads many entries)."""
    return max((len(name.split()) for name in names), default=0)


def _typed_name(args: dict[str, Any], cores: set[str], known: frozenset[str],
                about: set[str]) -> list[str]:
    """The arguments that typed one of the person's names (`cores`): `participant`, or it and
    the argument a name of several words typed without quotes ran on into (`--participant
    Zed Quux` binds Quux to the session, and is refused for it: helper-193's 1), which the
    refusal is `about` (not one typed before the name: helper-198's 1). The longest name they
    make of those `known` (of anyone) decides: `Zed` then `Quux` is Zed Quux's, not Zed's
    (helper-195's 1). None if that is not one of `cores`."""
    typed = args.get("participant")
    if not isinstance(typed, str):
        return []
    rest = [key for key, value in args.items() if key != "participant" and key in about
            and isinstance(value, str) and value]
    for count in range(min(len(rest), SPILLED), -1, -1):
        for keys in itertools.permutations(rest, count):
            name = core(" ".join([typed, *(args[key] for key in keys)]))
            if name in cores:
                return ["participant", *keys]
            if name in known:
                return []
    return []


def _line_scrubbed(line: str, runs: Any, cores: set[str], known: frozenset[str]
                   ) -> tuple[str, list[list[list[int]]], set[str]]:
    """A typed line with the person's name made FORGOTTEN where the parser found the words
    after an option that names a person (`runs`: core.dispatch's `person_at`, [start, end] of
    each word), read as the argument is (`_typed_name`: the longest name of anyone's that the
    first words make decides, compared as names are); the places as they are after it, for a
    later forget-me; and the cores of the words taken out. No other word of the line is theirs
    to take (a zone, a format: helper-196's 3)."""
    found = [[(int(at[0]), int(at[1])) for at in run] for run in (
        runs if isinstance(runs, list) else []) if isinstance(run, list) and all(
        isinstance(at, list) and len(at) == 2 for at in run)]
    gone: set[str] = set()
    shift = 0  # how far the line's text after the last cut has moved
    kept: list[list[list[int]]] = []
    for run in sorted(found):
        at = [(start + shift, end + shift) for start, end in run]
        words = [line[start:end].strip(_QUOTES) for start, end in at]
        if count := _theirs(words, cores, known):
            start, end = at[0][0], at[count - 1][1]
            line = line[:start] + FORGOTTEN + line[end:]
            gone |= {core(word) for word in words[:count]}
            moved = len(FORGOTTEN) - (end - start)
            at = [(start, start + len(FORGOTTEN))] + [(a + moved, b + moved) for a, b in at[count:]]
            shift += moved
        kept.append([[a, b] for a, b in at])
    return line, kept, gone - {""}


def _typed_out(cleaned: dict[str, Any], said: set[str], words: set[str], gone: set[str]
               ) -> str:
    """The entry's reason with what a person typed or a person's name in it (its places:
    core.dispatch's `reason_typed_at`) made FORGOTTEN where it is one of `said` or holds a
    word of `words`, its quotes kept; the bot's own words never (helper-198's 6-8: a person
    named Session, Seminar or a date took those words out of every reason). The places are
    moved with it; each taken out is noted in `gone`."""
    reason, places = str(cleaned["reason"]), cleaned["reason_typed_at"]
    if not isinstance(places, list) or not all(
            isinstance(at, list) and len(at) == 2 for at in places):
        return reason
    shift, kept = 0, []
    for start, end in sorted((int(at[0]), int(at[1])) for at in places):
        start, end = start + shift, end + shift
        piece = reason[start:end]
        if core(piece) in said or any(core(word) in words for word in piece.split()):
            gone.add(core(piece))
            quote = piece[:1] if piece[:1] in _QUOTES and piece[-1:] == piece[:1] else ""
            new = f"{quote}{FORGOTTEN}{quote}"
            reason = reason[:start] + new + reason[end:]
            shift += len(new) - (end - start)
            end = start + len(new)
        kept.append([start, end])
    cleaned["reason_typed_at"] = kept
    return reason


def _quote_scrubbed(quote: re.Match[str], gone: set[str]) -> str:
    """A reason's quote of the typed words (`'Ann Evans --bogus'`), FORGOTTEN if it holds a
    word of the name taken out of the line."""
    inner = next(part for part in quote.groups() if part is not None)
    if not any(core(word) in gone for word in inner.split()):
        return quote.group(0)
    return quote.group(0)[0] + FORGOTTEN + quote.group(0)[-1]


def _mentions_out(reason: str, said: set[str], names: Sequence[str], gone: set[str]) -> str:
    """A reason about the person without their names: quoted where it quotes what was typed
    (`said`, noted in `gone`), and wherever one of `names` stands as a word of its own
    ("Sam (console:a)", "Mary has opted out")."""
    def quoted(match: re.Match[str]) -> str:
        inner = next(part for part in match.groups() if part is not None)
        if core(inner) not in said:
            return match.group(0)
        gone.add(core(inner))
        return match.group(0)[0] + FORGOTTEN + match.group(0)[-1]

    reason = _QUOTED.sub(quoted, reason)
    # (as shown: what shows nothing, a stray bidirectional control, is not in the reason)
    words = sorted({DEFAULT_IGNORABLE.sub("", name).strip(SURROUNDING) for name in names}
                   - {""}, key=len, reverse=True)
    if not words:
        return reason
    # a word of its own: not part of a path or a zone (Europe/London: helper-197's 4)
    pattern = re.compile("(?<![\\w/])(?:" + "|".join(map(re.escape, words)) + ")(?![\\w/])",
                         re.IGNORECASE)
    return pattern.sub(FORGOTTEN, reason)
