"""The console saves a reply's files all or nothing: a full disk half-way leaves no file, not
even an empty one (try32, 8)."""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path

import pytest

from seminarbot.adapters.console.files import save_attachments
from seminarbot.core.replies import Attachment


class _FullAfter(io.BytesIO):
    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return super().write(data)


def test_a_full_disk_half_way_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    folder = tmp_path / "exports"
    files = [Attachment(filename="seminar-a.html", data=b"x" * 100, media_type="text/html"),
             Attachment(filename="chart.png", data=b"y" * 100, media_type="image/png")]
    assert [p.name for p in save_attachments(folder, files)] == ["seminar-a.html", "chart.png"]
    opened, disk = os.fdopen, {"room": 150}

    def filling(descriptor: int, mode: str) -> io.BytesIO:
        opened(descriptor, mode).close()  # the file exists, empty, as on a real full disk
        stream = _FullAfter(disk["room"])
        disk["room"] = max(0, disk["room"] - 100)
        return stream

    monkeypatch.setattr(os, "fdopen", filling)
    with pytest.raises(OSError, match="No space left"):
        save_attachments(folder, files)  # the first fits, the second does not
    assert sorted(p.name for p in folder.iterdir()) == ["chart.png", "seminar-a.html"]


def test_an_exports_path_that_is_no_folder_is_said_so(tmp_path: Path) -> None:
    (tmp_path / "exports").write_text("")
    with pytest.raises(OSError, match="it is there, and is no folder"):
        save_attachments(tmp_path / "exports", [Attachment("a.csv", b"x", "text/csv")])
