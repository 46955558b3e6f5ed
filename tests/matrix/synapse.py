"""A throwaway Synapse on 127.0.0.1 for the Matrix tests: generated config, SQLite, no
federation, cheap password hashing, rate limits raised, users registered with the shared secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import yaml

SERVER_NAME = "seminar.test"
START_TIMEOUT = 90.0
STOP_TIMEOUT = 15.0
_PLENTY = {"per_second": 1000, "burst_count": 10000}


@dataclass(frozen=True)
class Account:
    user_id: str
    password: str
    access_token: str
    device_id: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def homeserver_config(directory: Path, port: int, secret: str) -> dict[str, Any]:
    return {
        "server_name": SERVER_NAME,
        "pid_file": str(directory / "homeserver.pid"),
        "listeners": [{"port": port, "bind_addresses": ["127.0.0.1"], "type": "http",
                       "tls": False, "x_forwarded": False,
                       "resources": [{"names": ["client"], "compress": False}]}],
        "database": {"name": "sqlite3", "args": {"database": str(directory / "homeserver.db")}},
        "log_config": str(directory / "log.yaml"),
        "media_store_path": str(directory / "media"),
        "signing_key_path": str(directory / "signing.key"),
        "registration_shared_secret": secret,
        "macaroon_secret_key": secrets.token_hex(16),
        "form_secret": secrets.token_hex(16),
        "report_stats": False,
        "enable_registration": False,
        "bcrypt_rounds": 4,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "federation_domain_whitelist": [],
        "url_preview_enabled": False,
        "enable_metrics": False,
        "presence": {"enabled": False},
        "rc_message": _PLENTY,
        "rc_registration": _PLENTY,
        "rc_login": {"address": _PLENTY, "account": _PLENTY, "failed_attempts": _PLENTY},
        "rc_admin_redaction": _PLENTY,
        "rc_joins": {"local": _PLENTY, "remote": _PLENTY},
        "rc_joins_per_room": _PLENTY,
        "rc_invites": {"per_room": _PLENTY, "per_user": _PLENTY, "per_issuer": _PLENTY},
        "rc_key_requests": _PLENTY,
        "rc_3pid_validation": _PLENTY,
        "rc_media_create": _PLENTY,
        "rc_room_creation": _PLENTY,
        "rc_delayed_event_mgmt": _PLENTY,
        "rc_reports": _PLENTY,
        "rc_presence": {"per_user": _PLENTY},
        "rc_profile": _PLENTY,
        "rc_user_directory": _PLENTY,
    }


LOG_CONFIG = {
    "version": 1,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"file": {"class": "logging.FileHandler", "formatter": "plain",
                          "filename": "LOG"}},
    "root": {"level": "WARNING", "handlers": ["file"]},
    "disable_existing_loggers": False,
}


class Synapse:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.secret = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self._stderr: BinaryIO | None = None
        self._counter = 0

    @property
    def log(self) -> Path:
        return self.directory / "homeserver.log"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        config = self.directory / "homeserver.yaml"
        config.write_text(yaml.safe_dump(homeserver_config(self.directory, self.port,
                                                           self.secret)))
        log_config = json.loads(json.dumps(LOG_CONFIG))
        log_config["handlers"]["file"]["filename"] = str(self.log)
        (self.directory / "log.yaml").write_text(yaml.safe_dump(log_config))
        command = [sys.executable, "-m", "synapse.app.homeserver", "--config-path", str(config)]
        subprocess.run([*command, "--generate-keys"], check=True, cwd=self.directory,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
        self._stderr = (self.directory / "stderr.log").open("wb")
        self.process = subprocess.Popen(command, cwd=self.directory, stdout=subprocess.DEVNULL,
                                        stderr=self._stderr)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Synapse exited with {self.process.returncode}: "
                                   + (self.directory / "stderr.log").read_text()[-2000:])
            try:
                self.request("GET", "/_matrix/client/versions")
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        raise RuntimeError(f"Synapse did not answer within {START_TIMEOUT:g} s")

    def stop(self) -> None:
        """By its PID: SIGTERM, then SIGKILL if it lingers."""
        try:
            if self.process is not None and self.process.poll() is None:
                os.kill(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    os.kill(self.process.pid, signal.SIGKILL)
                    self.process.wait(STOP_TIMEOUT)
        finally:
            if self._stderr is not None:
                self._stderr.close()

    def request(self, method: str, path: str, body: dict[str, Any] | None = None,
                token: str | None = None) -> dict[str, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=30) as answer:
            result: dict[str, Any] = json.loads(answer.read() or b"{}")
            return result

    def register(self, name: str, *, admin: bool = False) -> Account:
        """A new user through the shared-secret admin API (names get a unique suffix)."""
        self._counter += 1
        localpart = f"{name}{self._counter}"
        password = secrets.token_hex(8)
        nonce = self.request("GET", "/_synapse/admin/v1/register")["nonce"]
        # The MAC covers the fields joined by NULs, without a trailing one.
        mac = hmac.new(self.secret.encode(),
                       b"\x00".join(p.encode() for p in (nonce, localpart, password,
                                                         "admin" if admin else "notadmin")),
                       hashlib.sha1)
        digest = mac.hexdigest()
        answer = self.request("POST", "/_synapse/admin/v1/register", {
            "nonce": nonce, "username": localpart, "password": password, "admin": admin,
            "mac": digest})
        return Account(answer["user_id"], password, answer["access_token"], answer["device_id"])
