"""What a person typed, echoed inside the bot's own sentence, is an isolate of its own (issue
13's second try-out, finding 13): a right-to-left override in an argument cannot reverse the
words after it ("There is no command `…`." kept its backtick and full stop in order). Every
command is given the override in every parameter, as the console types it."""

from __future__ import annotations

from seminarbot.adapters.console.session import PLACE
from seminarbot.core.dispatch import run_line
from seminarbot.core.invocation import Actor
from seminarbot.core.registry import Registry
from seminarbot.core.replies import Reply
from seminarbot.domain.display import FSI, PDF, PDI, RLO
from seminarbot.features import all_commands
from seminarbot.services.container import Services
from tests.conftest import ConsoleDriver

PAYLOAD = RLO + "XYZ"
MODERATOR = Actor("console", "console:mod", "mod", is_moderator=True)


def texts(reply: Reply) -> list[str]:
    parts = [reply.title, reply.footer, *reply.paragraphs]
    parts += [piece for field in reply.fields for piece in field]
    if reply.table is not None:
        parts += [*reply.table.headers, *(cell for row in reply.table.rows for cell in row)]
    return parts


def contained(text: str) -> bool:
    """Each raw override is the payload's, closed right after it: `XYZ` (in any case, or cut
    short with "…"), then PDF and PDI."""
    start = text.find(RLO)
    while start != -1:
        after = text[start + 1:]
        end = after.find(PDF)
        shown = after[:end].upper()  # a command name is looked up in lower case
        if end == -1 or not "XYZ".startswith(shown.rstrip("…")):
            return False
        if not after[end + 1:].startswith(PDI):
            return False
        start = text.find(RLO, start + 1)
    return True


async def test_an_override_typed_in_any_argument_never_reaches_the_words_after_it(
        console: ConsoleDriver, app: Services) -> None:
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post")
    lines = [f"help {PAYLOAD}", f"{PAYLOAD}", f"seminar {PAYLOAD}", f"help seminar {PAYLOAD}",
             f"seminar mine --{PAYLOAD}", f"search {PAYLOAD}", f"term {PAYLOAD}"]
    for command in Registry(all_commands()):
        for param in command.params:
            if param.is_flag:
                continue
            arguments = []
            for other in command.params:
                if other is param:
                    arguments.append(f"--{param.name} {PAYLOAD}" if param.option else PAYLOAD)
                elif other.required and not other.option:
                    arguments.append({"prompt": "1.1", "session": "1"}.get(other.name, "1"))
            lines.append(f"{command.name} {' '.join(arguments)}")
    for line in lines:
        reply = await run_line(app, line, MODERATOR, PLACE)
        for text in texts(reply):
            assert contained(text), (line, text)
    assert FSI  # the isolate each echo opens


async def test_help_takes_a_command_named_with_a_prefix_of_any_length(app: Services) -> None:
    # Finding 14: "sb!help sb!seminar mine" answered "There is no command `sb!seminar mine`".
    for prefix, line in (("sb!", "help sb!seminar mine"), ("!", "help !seminar   Mine"),
                         ("sb!", "help /seminar mine"), ("/", 'help "/seminar mine"')):
        reply = await run_line(app, line, MODERATOR, PLACE, prefix=prefix)
        assert reply.title == f"{prefix}seminar mine", (prefix, line, reply)
