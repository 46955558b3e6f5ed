"""Editable copies of a content tree, for tests that break it on purpose."""

import shutil
from pathlib import Path

from seminarbot.syllabus.loader import ContentRoots


def copy_roots(source: ContentRoots, into: Path) -> ContentRoots:
    shutil.copytree(source.content, into / "content")
    shutil.copytree(source.prompts, into / "prompts")
    return ContentRoots(into / "content", into / "prompts")


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
