"""What the Matrix adapter keeps under <data_dir>/matrix: the login (device id and access
token), nio's store (E2EE keys), the sync token and the encrypted events still waiting for their
room key, and the private answers waiting for a direct room the homeserver has just made. Every
write replaces the file atomically. Every read is checked: what cannot be read (damaged, or not
a regular file) is said at ERROR and left out, and a path that holds the wrong kind of thing
stops the bot with one sentence (`prepare`)."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import string
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from seminarbot.config.data_folder import MATRIX_DEVICE, MATRIX_LOGIN
from seminarbot.config.files import read_regular, replace_private
from seminarbot.config.settings import SettingRefused
from seminarbot.domain.display import in_a_line
from seminarbot.domain.jsontext import read_json

log = logging.getLogger(__name__)
# Said when the sync token cannot be used (unreadable, or refused by the homeserver).
FROM_NOW = "carrying on from now: what was said since the bot last synced is not read"
MAX_TOKEN = 4096  # characters: homeservers' tokens are tens; a longer one is damage
MAX_FILE_BYTES = 256 * 2**20  # a waiting list larger than this is damage
WAITING = "encrypted events waiting for keys"
PRIVATE = "answers waiting for a direct room"
DEVICE_ID = re.compile(r"[A-Z]{10}")  # as Synapse makes them; the spec asks only for a string
# What any device id and access token must be here: printable ASCII without a space, as an
# HTTP header carries the token (RFC 9110 token68 is narrower) and nio names a file after the
# device; the spec asks only for strings.
_PRINTABLE = re.compile(r"[!-~]{1,4096}")


@dataclass(frozen=True)
class SavedLogin:
    homeserver: str
    user_id: str
    device_id: str
    access_token: str


class FilesDamaged(SettingRefused):
    """A path of the adapter's files holds the wrong kind of thing (a folder for a file, a file
    for a folder): only its operator can move it away. `seminarbot run` says so, exit 2."""


class MatrixFiles:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.login_file = directory / MATRIX_LOGIN
        self.device_file = directory / MATRIX_DEVICE
        self.token_file = directory / "sync-token"
        self.undecrypted_file = directory / "undecrypted.json"
        self.private_file = directory / "private.json"
        self.store_dir = directory / "store"

    def prepare(self) -> None:
        """The folder and the store, made where missing. Raises FilesDamaged for a path that
        holds the wrong kind of thing, before anything is read or written."""
        for path, what, folder in (
                (self.directory, "Matrix data", True), (self.store_dir, "encryption keys", True),
                (self.login_file, "login", False), (self.device_file, "device id", False),
                (self.token_file, "sync token", False),
                (self.undecrypted_file, WAITING, False), (self.private_file, PRIVATE, False)):
            if os.path.lexists(path) and (not path.exists() or path.is_dir() != folder):
                raise FilesDamaged(
                    f"{path} should be a {'folder' if folder else 'file'} (the bot keeps its "
                    f"{what} there) but is not: move it away, then start again.")
        self.store_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)  # the login and the keys are secrets

    def load_login(self) -> SavedLogin | None:
        """The saved login; None when there is none, or (said at ERROR) none that can be
        read, so the bot logs in afresh."""
        data = _load_json(self.login_file, "logging in again as a new device")
        fields = ("homeserver", "user_id", "device_id", "access_token")
        if isinstance(data, dict) and all(isinstance(data.get(key), str) and data[key]
                                          for key in fields) \
                and unusable(data["device_id"], data["access_token"]) is None:
            return SavedLogin(**{key: str(data[key]) for key in fields})
        if data is not _MISSING:
            log.error("matrix: the saved login (%s) is damaged; logging in again as a new device",
                      self.login_file)
        return None

    def has_store(self, user_id: str, device_id: str) -> bool:
        """Whether nio's key store for that device is there (nio names it
        `{user_id}_{device_id}.db`: nio.store.database)."""
        return (self.store_dir / f"{user_id}_{device_id}.db").is_file()

    def save_login(self, login: SavedLogin) -> None:
        _replace(self.login_file, json.dumps(asdict(login), indent=2))

    def device_for_log_in(self, homeserver: str, user_id: str) -> str:
        """The device id a log-in with the password asks for (Client-Server API, POST /login:
        `device_id`, a new device when the homeserver knows none such): the one an earlier
        log-in of the same account asked for and never heard answered (the homeserver may
        have made it), else a new one, saved before the request leaves. So a log-in cut short
        (the bot stopped, the connection lost) makes no second device when tried again."""
        data = _load_json(self.device_file, "asking for a new device")
        if isinstance(data, dict) and data.get("homeserver") == homeserver \
                and data.get("user_id") == user_id and isinstance(data.get("device_id"), str) \
                and DEVICE_ID.fullmatch(data["device_id"]):
            return str(data["device_id"])
        chosen = "".join(secrets.choice(string.ascii_uppercase) for _ in range(10))
        _replace(self.device_file, json.dumps({"homeserver": homeserver, "user_id": user_id,
                                               "device_id": chosen}))
        return chosen

    def log_in_answered(self) -> None:
        """The homeserver answered the log-in (a login saved, or a refusal: no device made):
        the next one asks for a device of its own."""
        self.device_file.unlink(missing_ok=True)

    def load_sync_token(self) -> str | None:
        """None when there is none, or none that can be sent (said at ERROR: damaged). The
        homeserver judges the rest."""
        try:
            token = read_regular(self.token_file, MAX_TOKEN * 4).decode("utf-8").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeError) as error:
            log.error("matrix: the saved sync token (%s) cannot be read (%s); %s",
                      self.token_file, error, FROM_NOW)
            return None
        if not token or len(token) > MAX_TOKEN or not token.isprintable() \
                or len(token.split()) > 1:  # empty: cut short (it is written whole or not)
            log.error("matrix: the saved sync token (%s) is damaged; %s", self.token_file,
                      FROM_NOW)
            return None
        return token

    def save_sync_token(self, token: str) -> None:
        _keep(self.token_file, token, "a restart reads again what came since, which loses "
                                      "and doubles nothing")

    def load_undecrypted(self) -> list[dict[str, Any]]:
        """What save_undecrypted wrote; nothing if the file is missing or unreadable."""
        return _load_list(self.undecrypted_file, WAITING)

    def save_undecrypted(self, items: list[dict[str, Any]]) -> None:
        _keep(self.undecrypted_file, json.dumps(items), "kept in memory; a restart before it "
                                                        "is saved waits for their keys no more")

    def load_private(self) -> list[dict[str, Any]]:
        return _load_list(self.private_file, PRIVATE)

    def save_private(self, items: list[dict[str, Any]]) -> None:
        _keep(self.private_file, json.dumps(items), "kept in memory; a restart before it is "
                                                    "saved loses the answers still waiting")


_MISSING = object()


def unusable(device_id: str, access_token: str) -> str | None:
    """Why a login's device id or access token cannot be used here, or None: each must be
    printable ASCII without a space (_PRINTABLE), and the device id no file's path ("/",
    ".."): a homeserver's answer named one outside the store's folder (helper-102)."""
    if not _PRINTABLE.fullmatch(device_id) or "/" in device_id or "\\" in device_id \
            or device_id in (".", ".."):
        return f"a device id that cannot be used ({in_a_line(device_id, 60)})"
    if not sendable(access_token):
        return "an access token that cannot be sent (not printable ASCII without spaces)"
    return None


def sendable(access_token: str) -> bool:
    """Whether the token can go in a request's header (printable ASCII without a space)."""
    return _PRINTABLE.fullmatch(access_token) is not None


def _load_json(path: Path, what: str) -> Any:
    """The file's JSON; _MISSING when there is no file, and when it cannot be read (said at
    ERROR, as `what`)."""
    try:
        return read_json(read_regular(path, MAX_FILE_BYTES))
    except FileNotFoundError:
        return _MISSING
    except (OSError, ValueError) as error:
        log.error("matrix: %s cannot be read (%s: %s): %s", path, type(error).__name__,
                  str(error)[:200], what)
        return _MISSING


def _load_list(path: Path, what: str) -> list[dict[str, Any]]:
    """The file's entries (objects); what is not one is said at ERROR and left out."""
    items = _load_json(path, f"the {what} in it are left out")
    if items is _MISSING:
        return []
    found = [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
    left_out(path, what, (len(items) if isinstance(items, list) else 1) - len(found))
    return found


def left_out(path: Path, what: str, count: int) -> None:
    """Say at ERROR that `count` damaged entries of `what` in `path` are left out."""
    if count:
        log.error("matrix: %s is damaged: %d of the %s in it left out", path, count, what)


def _replace(path: Path, text: str) -> None:
    replace_private(path, text.encode(), durable=True)


def _keep(path: Path, text: str, meanwhile: str) -> None:
    """Replace the state file, or, when the disk refuses (full, say), say so and carry on:
    the bot's running state is what the file keeps for a restart (helper-130: a full disk
    under the data folder stopped the bot)."""
    try:
        _replace(path, text)
    except OSError as error:
        log.warning("matrix: %s could not be saved (%s); %s", path.name,
                    error.strerror or error, meanwhile)
