"""A data directory this user cannot write (a host folder mounted on /data that the image's
user may not write, say): `run` and `console` say so in one line naming the folder, the user
and the fix, and exit 2, before anything else (README: Docker)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from seminarbot.cli.preflight import DataDirUnwritable, check_data_dir
from tests.conftest import MINI
from tests.failpaths.support import BIN, environment, one_line, read_only, seminarbot


@pytest.mark.parametrize("command", [("console",), ("run",)])
def test_a_data_directory_that_cannot_be_written_is_one_line_and_exit_2(
        tmp_path: Path, command: tuple[str, ...]) -> None:
    data = tmp_path / "data"
    data.mkdir()
    config = tmp_path / "c.yaml"
    config.write_text(f"data_dir: {data}\ncontent_dir: {MINI.content}\n"
                      f"prompts_dir: {MINI.prompts}\n")
    env = environment(DISCORD_TOKEN="never.used.token",
                      DISCORD_API_BASE="http://127.0.0.1:9/api/v10",
                      DISCORD_GATEWAY_URL="ws://127.0.0.1:9") if command == ("run",) else None
    with read_only(data):
        result = seminarbot(*command, stdin="/term soviet\n", conf=config, env=env)
    assert result.returncode == 2, result.stderr
    line = one_line(result)
    assert line.startswith(f"seminarbot: the data directory {data} cannot be written ("), line
    # read_only closes the mode to its owner, or as root (CI) makes the folder immutable
    fix = (f"`chmod u+rwx {data}`" if os.geteuid() != 0 else f"`chattr -i {data}` as root")
    assert f"it is this user's (uid {os.getuid()}, gid {os.getgid()})" in line, line
    assert line.endswith(f"{fix}); or set data_dir or SEMINARBOT_DATA_DIR to a folder it may "
                         "write"), line
    assert sorted(p.name for p in data.iterdir()) == []  # nothing was made there


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                    reason="a read-only mount of its own needs unshare as root")
def test_a_read_only_mount_is_called_that_not_a_chown(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    bot = " ".join(shlex.quote(word) for word in (*BIN, "console"))
    result = subprocess.run(
        ["unshare", "--mount", "sh", "-c",
         f"mount --bind -o ro {data} {data} && exec {bot}"],
        input="", capture_output=True, text=True, timeout=60, check=False,
        env=environment(SEMINARBOT_DATA_DIR=str(data)))
    assert result.returncode == 2, result.stderr
    line = one_line(result)
    assert f"{data} is on a read-only mount: mount it read-write" in line, line
    assert "chown" not in line


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="Linux's /proc")
@pytest.mark.parametrize("where", ["/proc/seminarbot-data", "/proc/self/seminarbot-data"])
def test_a_data_directory_on_the_kernel_s_own_file_system_asks_for_another_folder(
        where: str) -> None:
    """helper-132: /proc is root's and closed, so root was told `chmod u+rwx /proc` and anyone
    else a chown; neither can make a file there."""
    result = seminarbot("console", stdin="", env=environment(SEMINARBOT_DATA_DIR=where))
    assert result.returncode == 2, result.stderr
    line = one_line(result)
    assert "file system of the kernel's (such as /proc or /sys) that holds no files" in line
    assert "chmod" not in line and "chown" not in line, line


def test_a_database_this_user_may_not_write_names_the_user(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = environment(SEMINARBOT_DATA_DIR=str(data))
    assert seminarbot("console", stdin="/term soviet\n", env=env).returncode == 0
    with read_only(data / "seminarbot.db"):
        result = seminarbot("console", stdin="/term soviet\n", env=env)
    assert result.returncode == 1
    assert one_line(result).startswith(
        f"seminarbot: {data / 'seminarbot.db'}: cannot be written by this user "
        f"(uid {os.getuid()}, gid {os.getgid()}): the file or its folder is read-only for it")
    db = data / "seminarbot.db"  # the fix for that file: its mode, or as root (CI) immutable
    fix = f"`chmod u+rw {db}`" if os.geteuid() != 0 else f"`chattr -i {db}` as root"
    assert fix in one_line(result), one_line(result)


def test_a_file_refused_later_names_the_user_and_the_fix(tmp_path: Path) -> None:
    """Such as a root-owned `/data/matrix` (after `podman exec -u 0`): the path, the user, the
    fix, through the one boundary."""
    import errno

    from seminarbot.cli.boundary import explain

    store = tmp_path / "matrix" / "store"
    store.parent.mkdir()
    known = explain(PermissionError(errno.EACCES, "Permission denied", str(store)), None)
    assert known is not None
    assert known[0] == (f"{store}: Permission denied; give it to this user, uid {os.getuid()}, "
                        f"gid {os.getgid()} (`chown {os.getuid()}:{os.getgid()} {store}`; for a "
                        "folder mounted from the host, on the host's side)")


def test_a_folder_of_this_user_that_its_mode_refuses_asks_for_a_chmod(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its owner (the bot's user, 0500): a chown would change nothing. Checked in the process,
    since a root (CI) writes whatever the mode."""
    data = tmp_path / "data"
    data.mkdir(mode=0o500)

    def refused(**_: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    with pytest.raises(DataDirUnwritable, match=r"mode does not let it write there: "
                                                r"`chmod u\+rwx .*data`; or set"):
        check_data_dir(data)
    data.chmod(0o700)  # open to its owner, and still refused: an attribute, not a chown
    with pytest.raises(DataDirUnwritable, match=r"it may be immutable \(`lsattr -d .*data`"):
        check_data_dir(data)
    if os.geteuid() == 0:  # another user's: given to this one
        os.chown(data, os.getuid() + 1, -1)
        with pytest.raises(DataDirUnwritable, match=rf"\(`chown -R {os.getuid()}:{os.getgid()} "):
            check_data_dir(data)


def test_a_file_of_this_user_refused_by_its_mode_asks_for_a_chmod(tmp_path: Path) -> None:
    """A lock at mode 000, a database at 0400, owned by this user: chown would change nothing
    (try32, 12)."""
    from seminarbot.storage.access import permission_fix

    lock = tmp_path / "seminarbot.db.lock"
    lock.write_text("")
    lock.chmod(0)
    assert permission_fix(lock) == (
        f"it is this user's (uid {os.getuid()}, gid {os.getgid()}) but its mode does not let "
        f"it write there: `chmod u+rw {lock}`")
    lock.chmod(0o600)
    assert permission_fix(tmp_path) == (
        f"it is this user's (uid {os.getuid()}, gid {os.getgid()}) and its mode lets it write: "
        f"it may be immutable (`lsattr -d {tmp_path}`; `chattr -i {tmp_path}` as root)")
