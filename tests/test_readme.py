"""The README's tables are the user's manual: they must list what the code declares."""

import re
from pathlib import Path

import pytest
import yaml

from seminarbot.config.settings import load_settings
from seminarbot.config.yamlfile import Node
from seminarbot.core.commands import Permission, Registry
from seminarbot.features import all_commands

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_every_command_is_in_the_table_with_who_may_use_it() -> None:
    for command in Registry(all_commands()):
        who = "moderators" if command.permission is Permission.MODERATOR else "everyone"
        row = f"| `{command.usage()}` | {command.help} | {who} |"
        assert row in README, row


def test_every_configuration_key_is_documented(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    asked: set[str] = set()
    original = Node.finish

    def record(node: Node) -> None:
        asked.update(f"{node.key}.{k}" if node.key else k for k in node._read)
        original(node)

    monkeypatch.setattr(Node, "finish", record)
    documented = set(re.findall(r"^\| `([a-z_.]+)` \|", README, flags=re.MULTILINE))
    # A file naming every documented key loads (so none of them is unknown) …
    nested: dict[str, dict[str, object]] = {}
    for key in documented:
        head, _, tail = key.partition(".")
        if tail:
            nested.setdefault(head, {})[tail] = SAMPLE.get(tail, "x")
    (tmp_path / "all.yaml").write_text(yaml.safe_dump(
        {**{k: "/tmp/x" for k in documented if "." not in k and k != "log_level"},
         "log_level": "INFO", **nested}))
    load_settings(str(tmp_path / "all.yaml"), {})
    # … and every key the loader reads is in the README's table.
    mappings = {"scheduler", "console", "discord", "matrix"}
    assert asked - mappings <= documented, sorted(asked - mappings - documented)
    for variable in ("SEMINARBOT_CONFIG", "SEMINARBOT_DB", "DISCORD_TOKEN", "MATRIX_HOMESERVER",
                     "MATRIX_USER_ID", "MATRIX_PASSWORD", "MATRIX_ACCESS_TOKEN",
                     "DISCORD_API_BASE", "DISCORD_GATEWAY_URL", "SEMINARBOT_DATA_DIR"):
        assert variable in README


SAMPLE: dict[str, object] = {
    "grace_window": "3h", "api_base": "http://127.0.0.1", "gateway_url": "ws://127.0.0.1",
    "homeserver": "http://127.0.0.1", "user_id": "@bot:example.org",
    "moderator_power_level": 50, "allowed_servers": ["example.org"],
    "allowed_users": ["@a:example.org"],
}


def test_the_two_setup_commands_are_the_ones_ci_runs() -> None:
    assert "make run" in README and "make test" in README
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "make test" in ci


def test_this_week_and_the_next_session_mean_the_same_in_the_readme_and_help() -> None:
    from seminarbot.core.commands import render_command_help
    from seminarbot.domain.progress import NEXT_SESSION, THIS_WEEK

    readme = " ".join(README.split())
    assert THIS_WEEK in readme and NEXT_SESSION in readme
    registry = Registry(all_commands())
    for name, meaning in (("seminar prompt", THIS_WEEK), ("seminar reading", THIS_WEEK),
                          ("seminar respond", THIS_WEEK), ("seminar post", NEXT_SESSION)):
        reply = render_command_help(registry.get(name), prefix="/")
        shown = " ".join([*reply.paragraphs, *(value for _, value in reply.fields)])
        assert meaning in shown, name
