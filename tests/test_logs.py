"""How the log reads: seminarbot's lines at log_level, the libraries' only their warnings
(everything at DEBUG but the wholesale ones), as text or JSON lines, secrets redacted."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from seminarbot.cli.logs import configure
from seminarbot.config.settings import Settings, load_settings
from seminarbot.core import redaction
from seminarbot.core.redaction import QUIET_AT_DEBUG, install_redaction, redact

TOKEN = "fake.0123456789abcdef"


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    quiet = {name: logging.getLogger(name).level for name in QUIET_AT_DEBUG}
    yield load_settings(None, {"SEMINARBOT_DATA_DIR": str(tmp_path), "DISCORD_TOKEN": TOKEN})
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("seminarbot").setLevel(logging.NOTSET)
    for name, was in quiet.items():
        logging.getLogger(name).setLevel(was)


def written(capsys: pytest.CaptureFixture[str]) -> str:
    """Standard error once the log's thread has written what was logged (cli.standard_error)."""
    for handler in logging.getLogger().handlers:
        handler.flush()
    return capsys.readouterr().err


def lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return written(capsys).splitlines()


def test_json_lines_with_our_info_and_the_libraries_warnings(
        settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    configure(dataclasses.replace(settings, log_format="json"))
    logging.getLogger("seminarbot.scheduling").info("posted session %d", 1)
    logging.getLogger("discord.client").info("logging in using static token")
    logging.getLogger("nio.client").warning("sync failed with token %s", TOKEN)
    found = [json.loads(line) for line in lines(capsys)]
    assert [(e["level"], e["logger"], e["message"]) for e in found] == [
        ("INFO", "seminarbot.scheduling", "posted session 1"),
        ("WARNING", "nio.client", "sync failed with token [redacted]")]
    assert all(e["time"].endswith("Z") for e in found)


def test_text_at_debug_lets_the_libraries_through_but_for_the_wholesale_ones(
        settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    configure(dataclasses.replace(settings, log_level="DEBUG"))
    logging.getLogger("seminarbot.core").debug("a detail")
    logging.getLogger("discord.client").debug("a library detail")
    logging.getLogger("discord.gateway").debug("a raw event with someone's words")
    logging.getLogger("discord.gateway").info("a gateway line")
    said = lines(capsys)
    assert [line.split(" ", 2)[2] for line in said] == [
        "DEBUG seminarbot.core: a detail", "DEBUG discord.client: a library detail",
        "INFO discord.gateway: a gateway line"]


@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
def test_an_event_nio_could_not_validate_is_logged_without_its_content(
        settings: Settings, capsys: pytest.CaptureFixture[str], level: str) -> None:
    """helper-192's 1: a file Element-like clients send with a plain `url` in an encrypted
    room logged jsonschema's whole error, the event's caption and file name at its end."""
    import nio  # noqa: F401  (its event classes, as the bot has them)
    from nio.events.misc import validate_or_badevent

    configure(dataclasses.replace(settings, log_level=level))
    content = {"msgtype": "m.file", "body": "my notes on 1.2", "filename": "notes.txt",
               "url": "mxc://example.org/abc"}
    event = {"type": "m.room.message", "event_id": "$e", "sender": "@ann:example.org",
             "origin_server_ts": 1, "content": content}
    schema = {"type": "object", "properties": {"content": {"type": "object",
                                                           "required": ["file"]}}}
    assert validate_or_badevent(event, schema) is not None
    said = lines(capsys)
    assert said == [said[0]] and said[0].endswith(
        "WARNING nio.events.misc: Error validating event: Failed validating 'required' in "
        "schema['properties']['content']"), said
    assert "notes" not in "".join(said)
    # helper-195's 9: the first line opens with the value that failed, a person's words
    content = {"msgtype": "m.text", "body": {"secret": "my private words here"}}
    schema = {"type": "object", "properties": {"content": {"type": "object", "properties": {
        "body": {"type": "string"}}}}}
    validate_or_badevent({**event, "content": content}, schema)
    said = lines(capsys)
    assert said[0].endswith("Error validating event: Failed validating 'type' in schema"
                            "['properties']['content']['properties']['body']"), said
    assert "secret" not in said[0] and "private" not in said[0]
    # helper-196's 5: nio's own `not` rule, whose message opens with the whole event
    from nio.events.room_events import Event

    Event.parse_event({"type": "m.room.message", "event_id": "$f", "sender": "@m:example.org",
                       "origin_server_ts": 1, "state_key": "",
                       "content": {"msgtype": "m.text", "body": "Mary: my private answer"}})
    said = lines(capsys)
    assert said and all("private" not in line for line in said), said


def test_a_wrong_log_format_names_the_key(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("log_format: xml\n")
    with pytest.raises(Exception, match="log_format: expected one of text, json, got 'xml'"):
        load_settings(str(config), {})


INTERACTION = "aW50ZXJhY3Rpb246c2VjcmV0c2VjcmV0"


def fail_with_secrets() -> None:
    try:
        raise RuntimeError(f"POST /interactions/1/{INTERACTION}/callback token=syt_abcdefghijkl"
                           f"\nsyt_mnopqrstuvwx after a line break, and {TOKEN}")
    except RuntimeError:
        logging.getLogger("seminarbot.core").exception("failed\n\tsyt_yzabcdefghij")


@pytest.mark.parametrize("value", ["/tmp/a\n2026-12-04 10:00:00,000 ERROR seminarbot: forged",
                                   "x\r\x1b[2Ky\u2028z", "\n"])
def test_a_value_in_a_text_line_cannot_begin_a_line_of_its_own(
        settings: Settings, capsys: pytest.CaptureFixture[str], value: str) -> None:
    """A path or a server's answer holding a line break split the line: the rest read as a
    line of the log's own (a forged ERROR). Now shown as a symbol, as other controls are."""
    configure(settings)
    logging.getLogger("seminarbot.cli").warning("cannot read %s", value)
    try:
        raise ValueError("a reason")
    except ValueError:
        logging.getLogger("seminarbot.cli").exception("failed on %s", value)
    said = lines(capsys)
    assert said[0].endswith(" WARNING seminarbot.cli: cannot read "
                            + value.replace("\n", "\u240a").replace("\r", "\u240d")
                            .replace("\x1b", "\u241b").replace("\u2028", "\u2424"))
    assert " ERROR seminarbot.cli: failed on " in said[1]
    assert said[2] == "Traceback (most recent call last):"  # a traceback keeps its lines
    starts = [line.split(" ")[2] for line in said
              if re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ", line)]
    assert starts == ["WARNING", "ERROR"]


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_tracebacks_are_redacted_in_every_format(
        settings: Settings, capsys: pytest.CaptureFixture[str], log_format: str) -> None:
    configure(dataclasses.replace(settings, log_format=log_format))
    fail_with_secrets()
    out = written(capsys)
    for secret in (INTERACTION, "syt_abcdefghijkl", "syt_mnopqrstuvwx", "syt_yzabcdefghij",
                   TOKEN):
        assert secret not in out
    if log_format == "json":
        [entry] = [json.loads(line) for line in out.splitlines()]
        assert entry["message"] == "failed\n\t[redacted]"
        assert "RuntimeError: POST /interactions/1/[redacted]/callback" in entry["traceback"]
    assert "Traceback (most recent call last)" in out and "token=[redacted]" in out


def test_a_formatter_of_its_own_is_redacted_too(
        settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    """Whatever formats the line (here one that reads exc_info itself, as JsonLines once did),
    what it writes is redacted."""

    class Careless(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            shown = f"{record.levelname} {record.getMessage()} {record.__dict__.get('extra')}"
            if record.exc_info:
                shown += " " + self.formatException(record.exc_info)
            return shown

    configure(settings)
    logging.getLogger().handlers[0].setFormatter(Careless())
    install_redaction()
    logging.getLogger("seminarbot.core").warning("sent", extra={"extra": f"Bot {TOKEN}xxxxxxxx"})
    fail_with_secrets()
    out = written(capsys)
    assert "sent" in out and TOKEN not in out and "syt_" not in out and INTERACTION not in out


@pytest.mark.parametrize("typed", [
    "!seminar forget-me    {code}", "!seminar forget-me\t{code}", "!seminar forget-me `{code}`",
    "!seminar forget-me\u00a0{code}", "!seminar forget-me <code>{code}</code>",
    "!seminar forget-me \"  {code}  \"",
    "!seminar forget-me" + " " * 300 + "{code}"])
def test_a_forget_me_code_is_redacted_however_typed_and_logged(typed: str) -> None:
    """As typed, in the repr of an event (nio's and discord.py's lines) and in its JSON, by
    the shape alone: without the code being remembered (a restart forgets nothing now, see
    app.py, but the shape holds on its own)."""
    code = "K7MX2Q"
    line = typed.format(code=code)
    for logged in (line, repr({"body": line}), json.dumps({"body": line}),
                   json.dumps({"body": line}, ensure_ascii=False)):
        assert code not in redact(logged), logged


@given(st.text(min_size=4, max_size=24).filter(lambda s: s.strip() == s and len(s) >= 4))
@examples(max_examples=200, deadline=None)
@example("[red").via("a secret inside the marker that replaces it")
def test_a_remembered_secret_is_redacted_however_a_library_encodes_it(secret: str) -> None:
    """A password as a URL's query or userinfo shows it (percent- or form-encoded), as a JSON
    body or a repr escapes it, as HTML escapes it: none of these reaches the log."""
    words, phrases = redaction._words.copy(), redaction._phrases.copy()
    try:
        redaction.remember_secret(secret)
        for form in redaction.encodings(secret):
            for logged in (f"GET /login?next={form}&x=1", f"body {form} end",
                           f"https://user:{form}@example.org/", f"{{'pw': '{form}'}}"):
                # "[red" is in the marker that replaced it: only what is left around counts.
                assert all(form not in left for left in redact(logged).split("[redacted]")), \
                    (form, logged)
    finally:  # what this process remembers is global: other tests must not meet these
        redaction._words, redaction._phrases = words, phrases


@pytest.mark.parametrize("quoted", [
    "{parts[0]}%2E{parts[1]}%2E{parts[2]}",  # the dots percent-encoded
    "{parts[0]} . {parts[1]} . {parts[2]}",  # each part on its own
    "the signature was {parts[2]}",  # the secret part alone
    "{every}", "{every_lower}",  # every byte percent-encoded
])
def test_a_token_a_server_quotes_back_in_another_form_is_redacted(quoted: str) -> None:
    """helper-112: an API base that passed the bot's check quoted the token back in its error
    with its dots percent-encoded, or its parts apart: the one-line error showed it."""
    token = "MTQ1NzY1OTg5MDg5MjgwMDAwMQ.GabCdE.abcdefghijklmnopqrstuvwxyz0123456789AB"
    words, phrases = redaction._words.copy(), redaction._phrases.copy()
    try:
        redaction.remember_secret(token)
        every = "".join(f"%{byte:02X}" for byte in token.encode())
        line = quoted.format(parts=token.split("."), every=every, every_lower=every.lower())
        shown = redact(f"Discord answered 400: {line}")
        for secret in (token.split(".")[0], token.split(".")[2], every, every.lower()):
            assert secret not in shown, shown
    finally:
        redaction._words, redaction._phrases = words, phrases


def test_a_secret_percent_encoded_any_way_is_redacted() -> None:
    """helper-113: a secret with short dot-separated parts quoted back with only its dots
    encoded, or every byte in hex of mixed case, was shown: a line that holds a secret once
    its percent-escapes are decoded is given decoded, the secret replaced."""
    words, phrases = redaction._words.copy(), redaction._phrases.copy()
    try:
        redaction.remember_secret("hunter2.sesame.open")
        for line in ("pw=x hunter2%2Esesame%2Eopen",
                     "%68%75%6E%74%65%72%32%2e%73%65%73%61%6d%65%2E%6f%70%65%6e"):
            shown = redact(line)
            assert "sesame" not in shown and "%73%65%73" not in shown.lower(), shown
        assert redact("100% sure, 50%off") == "100% sure, 50%off"  # nothing to hide: as is
    finally:
        redaction._words, redaction._phrases = words, phrases


def test_a_sentence_about_a_secret_key_keeps_its_words() -> None:
    """The key's name followed by our own sentence about it is no value to hide (helper-84:
    `matrix.access_token: [redacted] text, got a list`)."""
    said = "matrix.access_token: expected text, got a list"
    assert redact(said) == said
    # Every sentence the configuration says of a key (helper-163's 4: "[redacted] key")
    for said in ("discord.token_x: unknown key (known keys here: token)",
                 "matrix.password: is missing", "matrix.passwd: must not be empty",
                 "database_password: is empty: name a path"):
        assert redact(said) == said
    assert redact("token: unknown") == "token: [redacted]"
    assert redact("access_token: expects-a-secret-here") == "access_token: [redacted]"
    assert redact("password: hunter2 more") == "password: [redacted] more"
    # A folder named like a key, in a path the message quotes (helper-140's 7)
    for path in ("/srv/secret: is no such folder", "/etc/passwd: is no such folder",
                 "C:\\data\\token: is no such folder", "/tmp/x/my-secret: is no database",
                 "/tmp/x/.password: is no database", "/tmp/api-token: no"):  # helper-144's 10
        assert redact(path) == path
    # A relative file's name, the secret word before its extension (helper-190's 3)
    for said in ("token.db: is no database here", "secret2.yaml: log_levle: unknown key",
                 "my-secret.yaml: x: expected text", "apitoken.yaml: a: b",
                 "my_token_store.db: is no database", "password.yml: cannot be read"):
        assert redact(said) == said
    assert redact("discord.token: abcdefgh") == "discord.token: [redacted]"
    assert redact("a.b.client_secret=zzzzzzzz") == "a.b.client_secret=[redacted]"
    assert redact("secret_key=abc123") == "secret_key=[redacted]"
    assert redact('{"password": "correct horse battery"}') == '{"password": "[redacted]"}'
    assert redact('"access_token": "abc,def"') == '"access_token": "[redacted]"'
    for said, shown in (  # helper-145's 2: the rest of a value after its first word, an escape
            ("Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic [redacted]"),
            ('{"token":"a\\"b c"}', '{"token":"[redacted]"}'),
            ("token=`abc def ghi`", "token=`[redacted]`"),
            ("password: “curly quoted secret”", "password: “[redacted]”"),
            ("password: «guillemets secret»", "password: «[redacted]»"),
            ("password: 'it''s secret'", "password: '[redacted]'"),
            ("password：fullwidth", "password：[redacted]")):
        assert redact(said) == shown, said


def test_an_error_that_ends_a_thread_is_one_redacted_log_line(
        settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    """discord.py's keep-alive thread, handed a HELLO with a heartbeat interval of 1e308,
    printed Python's own traceback on standard error, past the log's redaction (helper-91)."""
    import threading

    configure(settings)

    def fail() -> None:
        raise OverflowError(f"timestamp out of range for {TOKEN}")

    thread = threading.Thread(target=fail, name="keep-alive-handler")
    thread.start()
    thread.join()
    said = lines(capsys)
    assert len(said) == 1, said
    assert "keep-alive-handler stopped: OverflowError: timestamp out of range" in said[0]
    assert TOKEN not in said[0] and "[redacted]" in said[0]


WARNS = """
import dataclasses, os, warnings
from seminarbot.cli.logs import configure
from seminarbot.config.settings import load_settings
configure(dataclasses.replace(load_settings(None, dict(os.environ)), log_format="json"))
warnings.warn("odd answer for " + os.environ["DISCORD_TOKEN"], RuntimeWarning, stacklevel=1)
"""


def test_a_python_warning_is_a_log_line(tmp_path: Path) -> None:
    """Printed by Python straight on standard error, a warning (a coroutine never awaited in
    a library) was no JSON line for a shipper, unredacted, and written by the event loop's
    own thread, which a standard error nobody reads would block."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", WARNS], capture_output=True, text=True, check=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path),
             "SEMINARBOT_DATA_DIR": str(tmp_path), "DISCORD_TOKEN": TOKEN})
    found = [json.loads(line) for line in done.stderr.splitlines()]
    assert [(e["level"], e["logger"]) for e in found] == [("WARNING", "py.warnings")]
    assert "RuntimeWarning: odd answer for [redacted]" in found[0]["message"]


def test_the_beginning_of_a_secret_cut_short_by_a_message_is_redacted() -> None:
    """helper-147's 2: a reply quotes at most 60 characters of what was typed, with `…` where
    it cut; a token pasted as an argument left its first 60 characters, not the secret whole,
    and so not found by the redaction."""
    token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.Qw3rTy8uIoP1aSdFgHjKlZxCvBnM45"
    words, phrases = redaction._words.copy(), redaction._phrases.copy()
    try:
        redaction.remember_secret(token, anywhere=True)
        for cut in (50, 58, 60):
            shown = redact(f"`before` expects a duration (got '{token[:cut]}…').")
            assert "Qw3rTy8u" not in shown and "MTIzNDU2" not in shown, shown
            assert shown.endswith("[redacted]…').")
        # Words that merely end where a message cut, or share a short beginning, stay.
        assert redact("a normal… text… with abcd… ok") == "a normal… text… with abcd… ok"
    finally:
        redaction._words, redaction._phrases = words, phrases
        redaction._phrases_found.clear()
