"""What the Matrix adapter keeps under <data_dir>/matrix: the login (device id and access
token), nio's store (E2EE keys), the sync token and the encrypted events still waiting for their
room key, and the private answers waiting for a direct room the homeserver has just made. Every
write replaces the file atomically."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from seminarbot.config.files import replace_private

log = logging.getLogger(__name__)
# Said when the sync token cannot be used (unreadable, or refused by the homeserver).
FROM_NOW = "carrying on from now: what was said since the bot last synced is not read"


@dataclass(frozen=True)
class SavedLogin:
    homeserver: str
    user_id: str
    device_id: str
    access_token: str


class MatrixFiles:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.login_file = directory / "login.json"
        self.token_file = directory / "sync-token"
        self.undecrypted_file = directory / "undecrypted.json"
        self.private_file = directory / "private.json"
        self.store_dir = directory / "store"

    def prepare(self) -> None:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)  # the login and the keys are secrets

    def load_login(self) -> SavedLogin | None:
        try:
            data = json.loads(self.login_file.read_text("utf-8"))
            return SavedLogin(**{key: str(data[key]) for key in
                                 ("homeserver", "user_id", "device_id", "access_token")})
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save_login(self, login: SavedLogin) -> None:
        _replace(self.login_file, json.dumps(asdict(login), indent=2))

    def load_sync_token(self) -> str | None:
        """None when there is none, or none that can be read (the homeserver judges the rest)."""
        try:
            return self.token_file.read_text("utf-8").strip() or None
        except OSError:
            return None
        except UnicodeError:
            log.error("matrix: the saved sync token cannot be read (%s); %s", self.token_file,
                      FROM_NOW)
            return None

    def save_sync_token(self, token: str) -> None:
        _replace(self.token_file, token)

    def load_undecrypted(self) -> list[dict[str, Any]]:
        """What save_undecrypted wrote; nothing if the file is missing or unreadable."""
        return _load_list(self.undecrypted_file)

    def save_undecrypted(self, items: list[dict[str, Any]]) -> None:
        _replace(self.undecrypted_file, json.dumps(items))

    def load_private(self) -> list[dict[str, Any]]:
        return _load_list(self.private_file)

    def save_private(self, items: list[dict[str, Any]]) -> None:
        _replace(self.private_file, json.dumps(items))


def _load_list(path: Path) -> list[dict[str, Any]]:
    try:
        items = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return []
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _replace(path: Path, text: str) -> None:
    replace_private(path, text.encode(), durable=True)
