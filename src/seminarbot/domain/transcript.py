"""Readable transcripts: Markdown and a standalone, printable HTML page.

Both are written as they go: `begin`, then `entries` for each page of a thread's responses (in
transcript order), then `end`. A heading is written when the session, prompt or thread changes,
so a thread with nothing to show leaves no empty heading. All text is escaped, ours included,
and isolated where it holds bidirectional controls (domain/display.py). A thread's heading names
its prompt; it and each response's time link back to the platform where there is a link
(domain/links.py).

`entries` is the reference rendering. Exports call `encoded`, which gives the same bytes from
rows as storage reads them (`RawEntry`: every field still UTF-8) and, for the many replies that
need no escaping, never decodes their text: with `entries` a Markdown export took four times as
long as `sqlite3 -csv`. A property test holds the two equal.
"""

from __future__ import annotations

from collections.abc import Sequence

from seminarbot.domain.display import isolate
from seminarbot.domain.exports import Entry, ExportMeta, RawEntry, Thread
from seminarbot.domain.markup import (
    blockquote,
    html_escape,
    html_escape_bytes,
    html_text_bytes,
    markdown_escape,
    quoted_markdown,
)
from seminarbot.domain.schedule import describe_local
from seminarbot.domain.stamps import LocalStamps
from seminarbot.domain.titles import prompt_title

__all__ = ["HtmlTranscript", "MarkdownTranscript", "markdown_escape"]


def _inline(text: str) -> str:
    return markdown_escape(text, mid_line=True)


class _Grouped:
    """Tracks which session, prompt and thread the last written response belonged to."""

    def __init__(self, meta: ExportMeta) -> None:
        self.meta = meta
        self.local = LocalStamps(meta.zone, str)
        self.local_encoded = LocalStamps(meta.zone, self.encode_time)
        self.names: dict[bytes, bytes] = {}  # author → as written in the file
        self._session: str | None = None
        self._prompt: str | None = None
        self._thread: Thread | None = None

    def headings(self, thread: Thread) -> list[str]:
        out = []
        if thread.session_id != self._session:
            out.append(self.session_heading(thread))
            self._session, self._prompt = thread.session_id, None
        if thread.prompt_id != self._prompt:
            out.append(self.prompt_heading(thread))
            self._prompt, self._thread = thread.prompt_id, None
        if thread != self._thread:
            out.append(self.thread_heading(thread))
            self._thread = thread
        return out

    def name(self, author: bytes, participant_id: bytes) -> bytes:
        """How an author (UTF-8, as stored) is written in the file, remembered per name."""
        # A damaged row's bytes that are not UTF-8 read as U+FFFD, as everywhere in exports.
        found = self.encode_name(author.decode(errors="replace")
                                 or f"participant {participant_id.decode(errors='replace')}")
        if author:
            self.names[author] = found
        return found

    def encode_name(self, name: str) -> bytes:
        raise NotImplementedError

    def encode_time(self, local: str) -> bytes:
        raise NotImplementedError

    def session_heading(self, thread: Thread) -> str:
        raise NotImplementedError

    def prompt_heading(self, thread: Thread) -> str:
        raise NotImplementedError

    def thread_heading(self, thread: Thread) -> str:
        raise NotImplementedError


def _session_title(thread: Thread) -> str:
    if thread.session_number:
        return f"Session {thread.session_number}: {thread.session_title}"
    return thread.session_title


class MarkdownTranscript(_Grouped):
    def begin(self) -> str:
        m = self.meta
        return (f"# {_inline(m.title)}\n\n"
                f"- Seminar: {_inline(m.seminar)}\n"
                f"- Scope: {_inline(m.scope)}\n"
                f"- Exported: {describe_local(m.exported_at, m.zone)}\n"
                f"- Times are local to the seminar ({_inline(m.zone.key)}).\n")

    def session_heading(self, thread: Thread) -> str:
        return f"\n## {_inline(_session_title(thread))}\n"

    def prompt_heading(self, thread: Thread) -> str:
        quoted = "\n".join("> " + line for line in markdown_escape(thread.prompt_text).split("\n"))
        text = f"\n### Prompt {_inline(thread.prompt_ref)} ({thread.prompt_kind})\n\n"
        text += quoted + "\n"
        if thread.sections:
            text += "\nSections: " + "; ".join(_inline(s) for s in thread.sections) + "\n"
        return text

    def thread_heading(self, thread: Thread) -> str:
        name = _inline(_thread_name(thread))
        return f"\n#### {_markdown_link(name, thread.link)}\n"

    def entries(self, thread: Thread, entries: Sequence[Entry]) -> str:
        if not entries:
            return ""
        out = self.headings(thread)
        local = self.local
        for entry in entries:
            edited = f" · edited {_inline(local(entry.edited_at))}" if entry.edited_at else ""
            written = _markdown_link(_inline(local(entry.written_at)), entry.link)
            out.append(f"\n**{_inline(_author(entry))}** · {written}{edited} · "
                       f"#{entry.response_id}\n\n{blockquote(markdown_escape(entry.text))}\n")
        return "".join(out)

    def encoded(self, thread: Thread, rows: Sequence[RawEntry], *, controls: bool = True
                ) -> bytes:
        """`entries(...).encode()` for rows as storage reads them; `controls=False` if no
        field of theirs holds a bidirectional control (RawPage)."""
        if not rows:
            return b""
        out = [heading.encode() for heading in self.headings(thread)]
        local, names, name = self.local_encoded.utf8, self.names, self.name
        for response_id, participant_id, author, written, edited, link, text in rows:
            stamp = local(written)
            out.append(b"\n**%s** \xc2\xb7 %s%s \xc2\xb7 #%s\n\n%s\n" % (
                names.get(author) or name(author, participant_id),
                b"[%s](<%s>)" % (stamp, link) if link else stamp,
                b" \xc2\xb7 edited " + local(edited) if edited else b"", response_id,
                quoted_markdown(text, controls=controls)))
        return b"".join(out)

    def encode_name(self, name: str) -> bytes:
        return _inline(name).encode()

    def encode_time(self, local: str) -> bytes:
        return _inline(local).encode()  # a damaged row's stamp is shown as stored

    def end(self, count: int) -> str:
        return f"\n---\n\n{_count(count)}.\n"


def _thread_name(thread: Thread) -> str:
    """The thread named by its prompt: `Thread of 1.2 · What did the council keep…`."""
    if thread.prompt_text and thread.prompt_kind:
        return f"Thread of {prompt_title(thread.prompt_ref, thread.prompt_text)}"
    return f"Thread of {thread.prompt_ref}" if thread.prompt_ref else "Thread (unknown)"


def _markdown_link(text: str, url: str) -> str:
    """Markdown text linked to `url` (angle brackets keep any character of an id literal)."""
    return f"[{text}](<{url}>)" if url else text


def _author(entry: Entry) -> str:
    return entry.author or f"participant {entry.participant_id}"


def _count(count: int) -> str:
    return f"{count} response" + ("" if count == 1 else "s")


_STYLE = """
body{font:16px/1.5 Georgia,"Times New Roman",serif;color:#111;background:#fff;
max-width:46em;margin:2em auto;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.35em;border-bottom:1px solid #999;
margin-top:2em}h3{font-size:1.1em;margin-bottom:.3em}h4{font-size:1em;color:#444;
font-weight:normal;font-style:italic}dl.meta{display:grid;grid-template-columns:max-content auto;
gap:0 1em;color:#333}dl.meta dt{font-weight:bold}dl.meta dd{margin:0}
blockquote.prompt{margin:.5em 0;padding:.4em 1em;border-left:4px solid #888;background:#f3f3f3}
p.sections{font-size:.9em;color:#444}article{margin:1em 0;padding-left:1em;
border-left:2px solid #ccc}p.by{margin:0;font-size:.9em;color:#444}p.by b{color:#111}
div.text{white-space:pre-wrap;overflow-wrap:anywhere}footer{margin-top:2em;color:#444}
@media print{body{max-width:none;margin:0;font-size:11pt}h2,h3,h4{break-after:avoid}
article{break-inside:avoid}blockquote.prompt{background:none}}
""".strip()


def _e(text: str) -> str:
    return html_escape(isolate(text), quote=True)


class HtmlTranscript(_Grouped):
    """One self-contained file: inline styles, no scripts, no external assets (a CSP says so)."""

    def begin(self) -> str:
        m = self.meta
        rows = (("Seminar", m.seminar), ("Scope", m.scope),
                ("Exported", describe_local(m.exported_at, m.zone)),
                ("Times", f"local to the seminar ({m.zone.key})"))
        meta = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows)
        return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                "style-src 'unsafe-inline'\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                f"<title>{_e(m.title)}</title>\n<style>\n{_STYLE}\n</style>\n</head>\n<body>\n"
                f"<header>\n<h1>{_e(m.title)}</h1>\n<dl class=\"meta\">{meta}</dl>\n</header>\n"
                "<main>\n")

    def session_heading(self, thread: Thread) -> str:
        return f"<h2>{_e(_session_title(thread))}</h2>\n"

    def prompt_heading(self, thread: Thread) -> str:
        text = (f"<h3>Prompt {_e(thread.prompt_ref)} · {_e(thread.prompt_kind)}</h3>\n"
                f"<blockquote class=\"prompt\">{_e(thread.prompt_text)}</blockquote>\n")
        if thread.sections:
            text += f"<p class=\"sections\">Sections: {_e('; '.join(thread.sections))}</p>\n"
        return text

    def thread_heading(self, thread: Thread) -> str:
        return f"<h4>{_html_link(_e(_thread_name(thread)), thread.link)}</h4>\n"

    def entries(self, thread: Thread, entries: Sequence[Entry]) -> str:
        if not entries:
            return ""
        out = self.headings(thread)
        for entry in entries:
            edited = ""
            if entry.edited_at:
                edited = f" · edited {self._time(entry.edited_at)}"
            written = _html_link(self._time(entry.written_at), entry.link)
            out.append(f"<article id=\"r{entry.response_id}\">\n<p class=\"by\"><b>"
                       f"{_e(_author(entry))}</b> · {written}{edited}"
                       f"</p>\n<div class=\"text\">{_e(entry.text)}</div>\n</article>\n")
        return "".join(out)

    def encoded(self, thread: Thread, rows: Sequence[RawEntry], *, controls: bool = True
                ) -> bytes:
        """`entries(...).encode()` for rows as storage reads them; `controls=False` if no
        field of theirs holds a bidirectional control (RawPage)."""
        if not rows:
            return b""
        out = [heading.encode() for heading in self.headings(thread)]
        time, names, name = self._encoded_time, self.names, self.name
        escape = html_text_bytes if controls else html_escape_bytes
        for response_id, participant_id, author, written, edited, link, text in rows:
            stamp = time(written)
            out.append(b'<article id="r%s">\n<p class="by"><b>%s</b> \xc2\xb7 %s%s</p>\n'
                       b'<div class="text">%s</div>\n</article>\n' % (
                           response_id, names.get(author) or name(author, participant_id),
                           b'<a href="%s" rel="noreferrer">%s</a>' % (
                               escape(link), stamp) if link else stamp,
                           b" \xc2\xb7 edited " + time(edited) if edited else b"",
                           escape(text)))
        return b"".join(out)

    def encode_name(self, name: str) -> bytes:
        return _e(name).encode()

    def encode_time(self, local: str) -> bytes:
        return _e(local).encode()

    def _encoded_time(self, stamp: bytes) -> bytes:
        return b'<time datetime="%s">%s</time>' % (html_escape_bytes(stamp),
                                                  self.local_encoded.utf8(stamp))

    def end(self, count: int) -> str:
        return f"</main>\n<footer>{_count(count)}.</footer>\n</body>\n</html>\n"

    def _time(self, stamp: str) -> str:
        return f"<time datetime=\"{_e(stamp)}\">{_e(self.local(stamp))}</time>"


def _html_link(inner: str, url: str) -> str:
    """Escaped markup linked to `url`: a plain link, opened without telling the page where
    the reader came from. (`encoded` writes the same with `html_text_bytes`, which is `_e`.)"""
    return f"<a href=\"{_e(url)}\" rel=\"noreferrer\">{inner}</a>" if url else inner
