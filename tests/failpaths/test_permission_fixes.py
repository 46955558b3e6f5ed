"""Files this user may not read or write are named with the user and the fix (helper-151's 2,
3 and 8: in a container, /data's database or matrix folder left to root by `docker exec -u 0`,
and a config file mounted root-owned and private)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from seminarbot.config import yamlfile
from seminarbot.config.yamlfile import YamlError, load_yaml
from seminarbot.storage import dbfile
from seminarbot.storage.access import permission_fix
from seminarbot.storage.dbfile import DatabaseUnusable, prepare
from tests.failpaths.support import seminar_database


def denied(*_: object, **__: object) -> None:
    raise PermissionError(errno.EACCES, "Permission denied")


@pytest.mark.skipif(os.geteuid() != 0, reason="gives a folder to another user")
def test_a_folder_of_another_user_is_given_back_whole(tmp_path: Path) -> None:
    folder = tmp_path / "matrix"
    (folder / "store").mkdir(parents=True)
    os.chown(folder, 12345, 12345)
    os.chown(folder / "store", 12345, 12345)
    said = permission_fix(folder)
    assert f"`chown -R {os.getuid()}:{os.getgid()} {folder}`" in said, said
    os.chown(folder / "store", 0, 0)
    file = folder / "login.json"
    file.write_text("{}")
    os.chown(file, 12345, 12345)
    assert f"`chown {os.getuid()}:{os.getgid()} {file}`" in permission_fix(file)


def test_a_database_this_user_may_not_read_names_the_user_and_the_fix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = seminar_database(tmp_path)
    monkeypatch.setattr(dbfile.Path, "open", denied)
    with pytest.raises(DatabaseUnusable) as refused:
        prepare(db, create=False)
    assert f"uid {os.getuid()}, gid {os.getgid()}" in refused.value.reason, refused.value.reason


def test_a_config_file_this_user_may_not_read_names_the_user(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conf = tmp_path / "c.yaml"
    conf.write_text("log_level: INFO\n")
    monkeypatch.setattr(yamlfile, "read_regular", denied)
    with pytest.raises(YamlError) as refused:
        load_yaml(conf)
    assert f"readable by this process's user, uid {os.getuid()}, gid {os.getgid()}" in str(
        refused.value)


@pytest.mark.skipif(os.geteuid() != 0, reason="gives a folder to another user")
def test_a_folder_still_to_make_is_named_and_made_not_its_parent_given_away(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """helper-183's 2 and 3: SEMINARBOT_DATA_DIR=/nonexistent/d offered `chown -R … /` (the
    nearest folder that exists), `rel` a chown of `.` (in a container, the app's folder, and
    said as `.` on the host's side), and a database in a folder that does not exist was
    "Permission denied" with a chown of that folder."""
    import tempfile

    from seminarbot.cli.preflight import DataDirUnwritable, check_data_dir
    from seminarbot.storage.access import chosen_folder_fix

    monkeypatch.chdir(tmp_path)
    wanted = tmp_path / "no" / "such"
    said = permission_fix(wanted, folder=True)
    assert said.startswith(f"{tmp_path / 'no'} does not exist, and this user"), said
    assert f"`mkdir -p {wanted} && chown {os.getuid()}:{os.getgid()} {wanted}`" in said
    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(DataDirUnwritable) as refused:
        check_data_dir(Path("rel"))
    assert str(refused.value).startswith(f"the data directory {tmp_path / 'rel'} cannot be made")
    assert f"`mkdir -p {tmp_path / 'rel'} && chown" in str(refused.value)
    (tmp_path / "pyproject.toml").write_text("")  # a folder that is not the bot's
    os.chown(tmp_path, os.getuid() + 1, -1)  # another user's (root, on the host)
    assert chosen_folder_fix(tmp_path) == (
        f"{tmp_path} holds files that are not the bot's, and this user (uid {os.getuid()}, "
        f"gid {os.getgid()}) may not write there: give the bot a folder of its own")
    with pytest.raises(DataDirUnwritable, match="give the bot a folder of its own"):
        check_data_dir(Path("."))
