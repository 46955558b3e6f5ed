"""Where the content is read from: content/ and prompts/ (the packaged copy, or the checkout's)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple


class ContentRoots(NamedTuple):
    content: Path
    prompts: Path

    @classmethod
    def default(cls) -> ContentRoots:
        """The packaged copy when installed as a wheel, else the checkout's top-level folders."""
        package = Path(__file__).resolve().parent.parent
        packaged = package / "_data"
        if (packaged / "content").is_dir():
            return cls(packaged / "content", packaged / "prompts")
        top = package.parent.parent
        return cls(top / "content", top / "prompts")

    @classmethod
    def configured(cls, content: Path | None, prompts: Path | None) -> ContentRoots:
        """The folders the settings name (content_dir, prompts_dir), else the default's."""
        default = cls.default()
        return cls(content or default.content, prompts or default.prompts)
