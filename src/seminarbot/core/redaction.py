"""Keeping secrets out of the log, at every level.

`RedactingFormatter` wraps a handler's formatter, whatever it is (text, JSON lines): the record's
message, traceback and stack reach the formatter only as redacted text, and the line it makes
of them is redacted once more as a whole. What it replaces with [redacted]:

- values under keys that name a secret (`token`, `access_token`, `password`, `secret`,
  `authorization`), in JSON, Python reprs, query strings and headers;
- the token in Discord's interaction and webhook URLs (`/interactions/ID/TOKEN/callback`);
- token-shaped values: Discord bot tokens (three dot-separated base64 parts), Discord
  interaction tokens, Synapse access and refresh tokens (`syt_…`, `syr_…`);
- the word after `forget-me` (a code as typed, or as the bot's reply asks for it), whatever
  stands between them: spaces of any kind, tabs, quotes, backticks, HTML tags such as <code>,
  entities, and the escapes of JSON and Python reprs (\\t, \\u00a0);
- every secret the process was told about (`remember_secret`): the configured bot token,
  Matrix password and access token, the access token a login returned, each forget-me code
  (those pending when the bot starts included: app.py), also next to an escape (\\nCODE),
  and each as it reads once encoded for a URL (RFC 3986 percent-encoding, form encoding), a
  JSON string, a Python repr or HTML (`encodings`), and each long dot-separated part of one
  (a Discord bot token's three) on its own.

`install_redaction` wraps the formatters of the root logger's handlers (where `seminarbot`
configures logging, cli/logs.py), and keeps at INFO the libraries' loggers whose DEBUG lines
carry secrets or participants' words wholesale (QUIET_AT_DEBUG), unless their level was set
on purpose.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.parse
from collections import OrderedDict
from collections.abc import Iterable

from seminarbot.domain.display import DEFAULT_IGNORABLE
from seminarbot.domain.markup import html_escape

REDACTED = "[redacted]"
MIN_SECRET = 4  # shorter values are not remembered (they would blot out ordinary text)
MAX_WORDS = 10_000  # single-word secrets (codes, tokens) remembered, the oldest dropped first
MIN_PART = 20  # a dot-separated part of a secret this long is one on its own
CUT_MARK = "…"  # where a message cut what it quotes short
MIN_CUT = 8  # the beginning of a secret this long before a cut mark is redacted

# An escape in a JSON string or a Python repr: \n, \t, \", \u00a0, \x1b.
_ESCAPE = r"\\(?:u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[nrtfbv\\/'\"])"
# What may stand between `forget-me` and its code: spaces of any kind, punctuation, escapes,
# HTML tags (<code>) and entities (&nbsp;).
# However long (possessive: it never gives back what it took, so it takes linear time).
_GAP = r"(?:" + _ESCAPE + r"|<[^<>]{0,40}>|&#?\w{1,8};|[^\w\\<&]++)++"
# Words that, in a key's name, make its value a secret (a log line's `key=value`, a setting).
SECRET_KEY_WORDS = ("token", "password", "passwd", "secret", "authorization")
# Each pattern keeps its first group and replaces its second.
_PATTERNS = (
    # A key named like a secret (`discord.token`, `secret_key`, "password"): the word in its
    # last dotted part, so never a file's name (`token.db: no database here`, `secret2.yaml:
    # unknown key`: helper-190's 3), nor one in a path ("/srv/my-secret: no such folder":
    # helper-140, helper-144); a quoted value whole ("correct horse battery")
    # (each name taken whole, possessive, once a look ahead finds the word in it: linear)
    re.compile(r"""(["']?(?<![\w./\\~-])(?=(?:[\w-]*+\.)*+[\w-]*?(?:"""
               + "|".join(SECRET_KEY_WORDS)
               + r""")[\w-]*+["']?\s*[:=：＝])[\w.-]++["']?\s*[:=：＝]"""
               # Not our own sentence about such a key ("matrix.access_token: expected text",
               # "discord.token_x: unknown key": helper-163's 4)
               r"""\s*["'`“‘«]?(?:(?:Bot|Bearer|Basic|Token)\s+)?)"""
               r"""(?!\[redacted\]|expect(?:s|ed)?\s|unknown\skey\b|is\s(?:missing|empty)\b"""
               r"""|must\snot\sbe\s)"""
               # a quoted value to its closing quote, escapes (\", '') within it (helper-145)
               r"""((?<=")(?:[^"\\]|\\.)+|(?<=')(?:[^']|'')+|(?<=`)[^`]+|(?<=“)[^”]+"""
               r"""|(?<=‘)[^’]+|(?<=«)[^»]+|[^\s"',;&{}()\[\]]+)""",
               re.IGNORECASE),
    re.compile(r"(/(?:interactions|webhooks)/\d+/)([^/\s?'\"]+)"),
    re.compile(r"(\b(?:Bot|Bearer) )([\w.~+/-]{20,}=*)"),
    # From a run's start only, each part taken whole (possessive): linear in the text's length
    # (from every word boundary of `a-a-a-…` it was quadratic: 13 s for 60,000 characters).
    re.compile(r"()((?<![\w-])[\w-]{20,}+\.[\w-]{6,}+\.[\w-]{20,}+)"),
    re.compile(r"()(\b(?:syt|syr|mct|mat)_[\w-]{8,})"),
    re.compile(r"()(\baW50ZXJhY3Rpb246[\w-]+)"),
    re.compile(r"(\bforget-me" + _GAP + r")(?!redacted\])([\w-]{1,20})", re.IGNORECASE),
)
_WORD = re.compile(_ESCAPE + r"|%[0-9A-Fa-f]{2}|[\w-]+")  # an escape, then a word, stand apart
# discord.py's gateway: every raw event (interaction tokens, message text); discord.http: the
# body of every request and answer (messages read and sent); nio.responses: every answer of the
# homeserver (every sync: messages, names, the login's token); nio.http and
# nio.client.http_client: nio's other client's requests (never used here; they would log the
# login); peewee: nio's key store (the E2EE account and session keys); aiosqlite: every SQL
# statement with its values.
QUIET_AT_DEBUG = ("discord.gateway", "discord.http", "nio.responses", "nio.http",
                  "nio.client.http_client", "peewee", "aiosqlite")

_phrases: set[str] = set()  # secrets that are not a single word (passwords with spaces, …)
_phrases_found: list[re.Pattern[str]] = []  # one pattern of them all, in any case (_redact_once)
_words: OrderedDict[str, None] = OrderedDict()


def encodings(value: str) -> set[str]:
    """`value` and the forms it takes in a URL (percent-encoded per RFC 3986, with or without
    `/` kept; form-encoded; every byte encoded, in either case of hex), inside a JSON string
    (ASCII-escaped or not), a Python repr and HTML text: the forms a library's log line, or
    a server quoting it back, may show it in."""
    every = "".join(f"%{byte:02X}" for byte in value.encode())
    forms = {value, urllib.parse.quote(value, safe=""), urllib.parse.quote(value),
             urllib.parse.quote_plus(value), every, every.lower(), json.dumps(value)[1:-1],
             json.dumps(value, ensure_ascii=False)[1:-1], repr(value)[1:-1],
             html_escape(value), html_escape(value, quote=False)}
    return {form for form in forms if form}


def remember_secret(value: str | None, *, anywhere: bool = False) -> None:
    """Never log `value` from now on (in this process), in any of its `encodings`. Values
    under MIN_SECRET are ignored. A secret of one word is found as a whole word only (a
    code, kept by the thousand), unless `anywhere`: a configured secret, found inside other
    words too (a refusal quotes what was given around it)."""
    if not value or len(value) < MIN_SECRET:
        return
    # As every setting is read (a block scalar's line end, a space or CR around a variable),
    # and as it shows (a zero-width space or byte order mark pasted with it: helper-152's 14).
    if (trimmed := DEFAULT_IGNORABLE.sub("", value).strip()) != value:
        remember_secret(trimmed, anywhere=anywhere)
    for part in value.split("."):  # each long part of a token on its own too (a Discord bot
        if len(part) >= MIN_PART and part != value:  # token's HMAC, quoted without the rest)
            remember_secret(part, anywhere=anywhere)
    for form in encodings(value):
        if _WORD.fullmatch(form) and not anywhere:
            _words[form.upper()] = None
            _words.move_to_end(form.upper())
            while len(_words) > MAX_WORDS:
                _words.popitem(last=False)
        elif form not in _phrases:
            _phrases.add(form)
            _phrases_found.clear()


def redact(text: str) -> str:
    """`text` with every secret replaced by REDACTED; text that holds one only once its
    percent-escapes are decoded (a server quoting a secret back encoded its own way: some
    bytes, either case of hex) is given decoded, with it replaced."""
    text = _redact_once(text)
    if "%" in text:
        decoded = urllib.parse.unquote(text)
        hidden = _redact_once(decoded)
        if hidden != decoded:
            return hidden
    return text


def _redact_once(text: str) -> str:
    if _phrases:
        if not _phrases_found:  # a form inside another: the longest first; in any case, as a
            # message may quote a value upper- or lower-cased (`log_level`)
            _phrases_found.append(re.compile("|".join(
                re.escape(phrase) for phrase in sorted(_phrases, key=len, reverse=True)),
                re.IGNORECASE))
        text = _phrases_found[0].sub(REDACTED, text)
        if CUT_MARK in text:
            text = _cut_secrets(text)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    if _words:
        text = _WORD.sub(_remembered, text)
    return text


def _cut_secrets(text: str) -> str:
    """`text` with the beginning of a secret that a message cut short, marking the cut
    (domain.errors.BadArgument quotes at most 60 characters of what was typed), replaced too:
    at least MIN_CUT characters of it right before the mark."""
    pieces, start = [], 0
    for mark in re.finditer(CUT_MARK, text):
        before = text[start:mark.start()].lower()
        tail, longest = before[-MIN_CUT:], 0
        for phrase in _phrases:
            lowered = phrase.lower()
            if len(tail) == MIN_CUT and tail in lowered:  # rarely: most marks end no secret
                longest = max([longest, *(k for k in range(MIN_CUT, len(lowered))
                                          if before.endswith(lowered[:k]))])
        pieces.append(text[start:mark.start() - longest] + (REDACTED if longest else ""))
        start = mark.start()
    return "".join(pieces) + text[start:]


def _remembered(match: re.Match[str]) -> str:
    word = match.group(0)
    return REDACTED if not word.startswith("\\") and word.upper() in _words else word


class RedactingFormatter(logging.Formatter):
    """Another formatter's lines, redacted: the record's parts are given to it as redacted
    plain text (so an escape the formatter adds cannot hide a secret), and the line it makes
    of them is redacted once more (so nothing it adds can carry one either). A formatter that
    reads `exc_info` itself, not `exc_text` as logging's own do, finds none: it loses the
    traceback rather than leak it."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        safe = logging.makeLogRecord(record.__dict__)
        try:
            message = record.getMessage()
        except Exception:  # a library's bad format string: log what we have, redacted
            message = f"{record.msg} {record.args}"
        safe.msg, safe.args = redact(message), None
        traceback = record.exc_text
        if record.exc_info:
            traceback = self.inner.formatException(record.exc_info)
        safe.exc_info, safe.exc_text = None, redact(traceback) if traceback else None
        safe.stack_info = redact(record.stack_info) if record.stack_info else None
        return redact(self.inner.format(safe))


def redacting(formatter: logging.Formatter | None) -> RedactingFormatter:
    """`formatter` (logging's default when None) wrapped, once."""
    if isinstance(formatter, RedactingFormatter):
        return formatter
    return RedactingFormatter(formatter or logging.Formatter())


def install_redaction(secrets: Iterable[str | None] = ()) -> None:
    """Remember the configured secrets, and redact every line of the root logger's handlers."""
    for secret in secrets:
        remember_secret(secret, anywhere=True)
    debugging = logging.getLogger().getEffectiveLevel() < logging.INFO
    for name in QUIET_AT_DEBUG:
        library = logging.getLogger(name)
        if debugging and library.level == logging.NOTSET:
            library.setLevel(logging.INFO)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(redacting(handler.formatter))


def quoted(value: str, limit: int = 60) -> str:
    """`value` as a message quotes it (repr), at most `limit` characters of it: redacted
    before it is cut, since a cut secret is no longer found whole."""
    shown = redact(value)
    return repr(shown if len(shown) <= limit else shown[:limit] + "…")
