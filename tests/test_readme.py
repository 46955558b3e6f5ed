"""The README's tables are the user's manual: they must list what the code declares."""

import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import yaml

from seminarbot.config.settings import load_settings
from seminarbot.config.yamlfile import Node
from seminarbot.core.commands import Permission
from seminarbot.core.registry import Registry
from seminarbot.features import all_commands
from tests.console.terminal import Terminal

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
        {**{k: "/tmp/x" for k in documented if "." not in k and not k.startswith("log_")},
         "log_level": "INFO", "log_format": "json", **nested}))
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
    "allowed_users": ["@a:example.org"], "test_guild": "123456789012345678",
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
    # helper-149's 5: roles and timeline said only "(default: this week)"
    for command in registry:
        for param in command.params:
            if "this week" in param.help:
                assert THIS_WEEK in param.help, (command.name, param.help)


# -- the README's examples, run as printed ------------------------------------------------------
#
# Every ```text block of console lines is typed into a real `seminarbot console`, and every line
# of every ```sh block is run by bash, in the order the README gives them, sharing one data
# directory as a newcomer's machine would. The few that cannot run here say why below, and are
# run elsewhere where they can be (the Discord lines against the loopback fake of Discord).

ROOT = Path(__file__).resolve().parents[1]
SERVER_DATA = "/var/lib/seminarbot"  # the README's example of a server's data directory
ELSEWHERE = {
    "make test": "the suite itself: test_make_test_is_the_ci_recipe runs `make -n test`",
    "seminarbot discord sync": "needs Discord: test_the_discord_sync_lines_against_the_fake",
    "make bench": "about an hour, and rewrites benchmarks/results.md and the README's table: "
                  "tests/test_benchmarks.py runs every benchmark in its tiny configuration, "
                  "and test_the_benchmark_lines_name_real_targets dry-runs these lines",
    "docker ": "needs a Docker daemon and the network to pull its base image: "
               "`make docker-check` runs the image with podman",
    "podman ": "needs podman: `make docker-check`",
    "sudo ": "changes the host outside the project (a folder for the image's /data)",
}


def readme_blocks() -> list[tuple[str, list[str]]]:
    """(`text` or `sh`, lines) for every console block and shell block, in README order."""
    blocks: list[tuple[str, list[str]]] = []
    kind, lines = None, []
    for raw in README.splitlines():
        fence = raw.strip()
        if kind is None and fence in ("```text", "```sh"):
            kind, lines = fence[3:], []
        elif kind is not None and fence == "```":
            console = kind == "sh" or all(line.startswith(("/", "#")) for line in lines)
            if console and lines:
                blocks.append((kind, lines))
            kind = None
        elif kind is not None and fence:
            if lines and lines[-1].endswith("\\"):  # a shell line continued
                lines[-1] = lines[-1][:-1].rstrip() + " " + fence
            else:
                lines.append(fence)
    return blocks


def newcomer(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "MATRIX_", "SEMINARBOT_"))}
    env.update(SEMINARBOT_DATA_DIR=str(data), USER="ann",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    return env


def type_into_console(lines: list[str], env: dict[str, str]) -> None:
    """One console session; each reply an error exactly where the README says "refused"."""
    refusals = sum(1 for i, line in enumerate(lines)
                   if i and lines[i - 1].startswith("#") and "refused" in lines[i - 1])
    result = subprocess.run(["seminarbot", "console"], input="\n".join(lines) + "\n",
                            capture_output=True, text=True, env=env, timeout=120, check=False)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    errors = [line for line in result.stdout.splitlines() if line.startswith("✗")]
    assert len(errors) == refusals, (lines, result.stdout)
    assert "Commands start with /" not in result.stdout


def run_shell_line(line: str, cwd: Path, env: dict[str, str]) -> None:
    if line.startswith("make run"):
        if subprocess.run(["make", "-q", ".venv/.installed-run"], cwd=ROOT,
                          check=False).returncode != 0:
            warnings.warn("`make run` not run: pyproject.toml is newer than the virtualenv, "
                          "and make would reinstall it first", stacklevel=1)
            return
        # On a terminal, as a person types it: the console (no platform is configured).
        terminal = Terminal(["bash", "-c", line], {**env, "TERM": "xterm"}, cwd=ROOT)
        try:
            terminal.prompt(timeout=120)
            assert "No Discord or Matrix account is configured" in terminal.text()
            terminal.type(b"/term soviet\r")
            terminal.prompt()
            assert "soviet" in terminal.text().lower()
            terminal.type(b"/quit\r")
            assert terminal.process.wait(timeout=30) == 0
        finally:
            terminal.close()
        return
    line = line.replace(SERVER_DATA, env["SEMINARBOT_DATA_DIR"])
    result = subprocess.run(["bash", "-c", line], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, (line, result.stdout, result.stderr)


def test_every_readme_example_runs_as_printed(tmp_path: Path) -> None:
    from tests.conftest import SEEDS

    data = tmp_path / "data"
    env = newcomer(data)
    copies = {"priestland.txt": "000_4d311acc6299d87d.txt",
              "aftermath.txt": "002_e4af6ccfc7b9eecd.txt"}
    for name, seed in copies.items():
        if (SEEDS / seed).exists():
            shutil.copy(SEEDS / seed, tmp_path / name)
    not_here = []
    for kind, lines in readme_blocks():
        if kind == "text":
            type_into_console(lines, env)
            continue
        for line in lines:
            reason = next((why for start, why in ELSEWHERE.items() if start in line), None)
            if "content ingest" in line and not (tmp_path / line.split()[3]).exists():
                reason = "needs the operator's copy of the text (../shared/seeds)"
            if reason:
                not_here.append(line)
                continue
            run_shell_line(line, tmp_path, env)
    exported = (tmp_path / "run.csv").read_text("utf-8-sig")
    assert "Only if the chair rotates." in exported and "four elements" in exported
    assert all(any(start in line for start in ELSEWHERE) or "content ingest" in line
               for line in not_here), not_here
    assert len([line for line in not_here if "docker" in line]) == 9


def test_make_test_is_the_ci_recipe() -> None:
    dry = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True,
                         check=False)
    assert dry.returncode == 0, dry.stderr
    for step in ("ruff check", "mypy", "content check", "pytest"):
        assert step in dry.stdout, step


async def test_the_discord_sync_lines_against_the_fake(tmp_path: Path) -> None:
    import asyncio

    from seminarbot.clock import SystemClock
    from tests.discord_fake import FakeDiscord

    fake = FakeDiscord(SystemClock().now)
    await fake.start()
    try:
        env = newcomer(tmp_path / "data")
        env["DISCORD_API_BASE"] = fake.api_base
        lines = [line for kind, block in readme_blocks() if kind == "sh" for line in block
                 if "seminarbot discord sync" in line]
        assert len(lines) == 2
        for line in lines:
            process = await asyncio.create_subprocess_exec(
                "bash", "-c", line.replace("DISCORD_TOKEN=...", f"DISCORD_TOKEN={fake.token}"),
                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            out, err = await asyncio.wait_for(process.communicate(), 60)
            assert process.returncode == 0, err
            assert b"synced" in out
    finally:
        await fake.stop()
    assert {"123456789012345678", "global"} <= set(fake.rest.commands)


@pytest.mark.slow
def test_the_benchmark_lines_name_real_targets() -> None:
    lines = [line.split("#")[0].strip() for kind, block in readme_blocks() if kind == "sh"
             for line in block if line.startswith("make bench")]
    assert {"make bench", "make bench-quick"} <= set(lines), lines
    for line in lines:
        result = subprocess.run(["bash", "-c", line.replace("make ", "make -n ", 1)], cwd=ROOT,
                                capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0 and "benchmarks/run_all.py" in result.stdout, result.stderr


def test_running_on_discord_names_every_moderator_command() -> None:
    from seminarbot.adapters.discord.slash import SUB_COMMAND, SlashCommands

    section = README.split("## Running on Discord")[1].split("\n## ")[0]
    listed = section.split("`/seminar-mod`:")[1].split("(the rows")[0]
    payload = SlashCommands(Registry(all_commands())).payload()
    group = next(top for top in payload if top["name"] == "seminar-mod")
    names = {option["name"] for option in group["options"] if option["type"] == SUB_COMMAND}
    assert set(re.findall(r"`([a-z-]+)`", listed)) == names
