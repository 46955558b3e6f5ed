"""Keeping secrets out of the log, at every level.

`RedactingFilter` rewrites each record (message, arguments and traceback) before any handler
writes it:

- values under keys that name a secret (`token`, `access_token`, `password`, `secret`,
  `authorization`), in JSON, Python reprs, query strings and headers;
- the token in Discord's interaction and webhook URLs (`/interactions/ID/TOKEN/callback`);
- token-shaped values: Discord bot tokens (three dot-separated base64 parts), Discord
  interaction tokens, Synapse access and refresh tokens (`syt_…`, `syr_…`);
- a code after `forget-me` (as typed, or as the bot's reply asks for it);
- every secret the process was told about (`remember_secret`): the configured bot token,
  Matrix password and access token, the access token a login returned, each forget-me code.

`install_redaction` puts the filter on the root logger's handlers (where `seminarbot` configures
logging, cli/main.py), and keeps at INFO the libraries' loggers whose DEBUG lines carry secrets
or participants' words wholesale (QUIET_AT_DEBUG), unless their level was set on purpose.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Iterable

REDACTED = "[redacted]"
MIN_SECRET = 4  # shorter values are not remembered (they would blot out ordinary text)
MAX_WORDS = 10_000  # single-word secrets (codes, tokens) remembered, the oldest dropped first

# Each pattern keeps its first group and replaces its second.
_PATTERNS = (
    re.compile(r"""(["']?\b[a-z_]*(?:token|password|passwd|secret|authorization)["']?\s*[:=]"""
               r"""\s*["']?(?:(?:Bot|Bearer)\s+)?)(?!\[redacted\])([^\s"',;&{}()\[\]]+)""",
               re.IGNORECASE),
    re.compile(r"(/(?:interactions|webhooks)/\d+/)([^/\s?'\"]+)"),
    re.compile(r"(\b(?:Bot|Bearer) )([\w.~+/-]{20,}=*)"),
    re.compile(r"()(\b[\w-]{20,}\.[\w-]{6,}\.[\w-]{20,})"),
    re.compile(r"()(\b(?:syt|syr|mct|mat)_[\w-]{8,})"),
    re.compile(r"()(\baW50ZXJhY3Rpb246[\w-]+)"),
    re.compile(r"(\bforget-me\W{1,3})([A-Z0-9]{6})\b", re.IGNORECASE),
)
_WORD = re.compile(r"[\w-]+")
# discord.py's gateway: every raw event (interaction tokens, message text); peewee: nio's key
# store (the E2EE account and session keys); aiosqlite: every SQL statement with its values.
QUIET_AT_DEBUG = ("discord.gateway", "peewee", "aiosqlite")

_phrases: set[str] = set()  # secrets that are not a single word (passwords with spaces, …)
_words: OrderedDict[str, None] = OrderedDict()


def remember_secret(value: str | None) -> None:
    """Never log `value` from now on (in this process). Values under MIN_SECRET are ignored."""
    if not value or len(value) < MIN_SECRET:
        return
    if _WORD.fullmatch(value):
        _words[value.upper()] = None
        _words.move_to_end(value.upper())
        while len(_words) > MAX_WORDS:
            _words.popitem(last=False)
    else:
        _phrases.add(value)


def redact(text: str) -> str:
    for phrase in _phrases:
        if phrase in text:
            text = text.replace(phrase, REDACTED)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    if _words:
        text = _WORD.sub(lambda m: REDACTED if m.group(0).upper() in _words else m.group(0),
                         text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites every record it sees (it never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a library's bad format string: log what we have, redacted
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_redaction(secrets: Iterable[str | None] = ()) -> None:
    """Remember the configured secrets and filter every handler of the root logger."""
    for secret in secrets:
        remember_secret(secret)
    debugging = logging.getLogger().getEffectiveLevel() < logging.INFO
    for name in QUIET_AT_DEBUG:
        library = logging.getLogger(name)
        if debugging and library.level == logging.NOTSET:
            library.setLevel(logging.INFO)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
