"""User pills in a Matrix message's HTML (Matrix spec, client-server API, User and room
mentions: an `<a>` whose `href` is a matrix.to permalink to a user id), read in one pass.

The HTML is any room member's input, up to an event's 64 KiB: each step here finds the next
`<` or `>` or closing tag from where the last one ended, so the time grows with the HTML's
length alone. (A regular expression with nested repetition took hours on 50 KB of `<a `
openings before an unclosed link; html.parser takes seconds on 60 KB of `<a`.)
"""

from __future__ import annotations

import html
import urllib.parse

_PERMALINK = "https://matrix.to/#/"
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_REPLY_OPEN, _REPLY_CLOSE = "<mx-reply>", "</mx-reply>"


def pills(formatted: str) -> tuple[tuple[str, str, int], ...]:
    """Each user pill outside a reply fallback's `<mx-reply>` (whose quote names whom it
    quotes), as (the text it shows, the user id, how often that text occurs in the plain text
    before it: the body shows the pill as its text), in order. A pill showing no text is
    left out."""
    formatted = _without_reply_quotes(formatted)
    lower = formatted.translate(_ASCII_LOWER)  # same length (str.lower makes İ two)
    found: list[tuple[str, str, int]] = []
    before: list[str] = []  # the plain text up to `at`, in pieces
    at = search = 0
    while (start := _next_anchor(lower, search)) != -1:
        tag_end = formatted.find(">", start)
        if tag_end == -1:  # no tag ends after this: no anchor follows
            break
        user = _user_of(formatted[start + 2 : tag_end], lower[start + 2 : tag_end])
        if user is None:  # another link: a pill may be inside it or after it
            search = tag_end + 1
            continue
        close = lower.find("</a>", tag_end)
        if close == -1:  # no link is closed after this one
            break
        before.append(plain(formatted[at:start]))
        inside = plain(formatted[tag_end + 1 : close])
        if inside.strip():
            found.append((inside.strip(), user, "".join(before).count(inside.strip())))
        before.append(inside)
        at = search = close + 4
    return tuple(found)


def _next_anchor(lower: str, at: int) -> int:
    """Where the next `<a` followed by a space (an anchor's tag) starts, from `at`; -1 if none."""
    while (start := lower.find("<a", at)) != -1:
        if lower[start + 2 : start + 3].isspace():
            return start
        at = start + 2
    return -1


def _user_of(attributes: str, lower: str) -> str | None:
    """The user id an anchor's `href` permalinks to (`@` or `%40` first, up to `?` or `/`),
    or None for any other link."""
    at = lower.find("href=")
    if at == -1 or attributes[at + 5 : at + 6] not in ("'", '"'):
        return None
    quote = attributes[at + 5]
    end = attributes.find(quote, at + 6)
    value = attributes[at + 6 : end if end != -1 else len(attributes)]
    if end == -1 or not value.translate(_ASCII_LOWER).startswith(_PERMALINK):
        return None
    target = value[len(_PERMALINK) :]
    for stop in "?/'\"":
        target = target.split(stop, 1)[0]
    if not target.startswith(("@", "%40")) or target in ("@", "%40"):
        return None
    return urllib.parse.unquote(target)


def _without_reply_quotes(formatted: str) -> str:
    """`formatted` without each `<mx-reply>…</mx-reply>`; an unclosed one is kept."""
    kept, at = [], 0
    while (start := formatted.find(_REPLY_OPEN, at)) != -1:
        end = formatted.find(_REPLY_CLOSE, start + len(_REPLY_OPEN))
        if end == -1:
            break
        kept.append(formatted[at:start])
        at = end + len(_REPLY_CLOSE)
    kept.append(formatted[at:])
    return "".join(kept)


def plain(formatted: str) -> str:
    """The text of some HTML: every `<…>` tag left out (a `<` that no `>` follows is text),
    character references read (`&amp;` as `&`)."""
    kept, at = [], 0
    while (start := formatted.find("<", at)) != -1:
        end = formatted.find(">", start)
        if end == -1:
            break
        kept.append(formatted[at:start])
        at = end + 1
    kept.append(formatted[at:])
    return html.unescape("".join(kept))
