"""A PNG bar chart of participation over the sessions, drawn with Pillow's bundled font.

Pillow is imported when a chart is drawn, so nothing else pays for loading it.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.ImageDraw import ImageDraw
    from PIL.ImageFont import FreeTypeFont, ImageFont

WIDTH, HEIGHT = 880, 460
_MARGIN_LEFT, _MARGIN_RIGHT, _MARGIN_TOP, _MARGIN_BOTTOM = 64, 24, 72, 64
_INK, _GRID, _MUTED = (34, 34, 34), (221, 221, 221), (102, 102, 102)
PARTICIPANT_COLOUR, RESPONSE_COLOUR = (38, 84, 124), (239, 160, 71)


@dataclass(frozen=True)
class Bar:
    label: str  # under the pair of bars: the session number
    participants: int
    responses: int
    # False for a session whose prompts have not gone out yet: marked as such, not drawn as
    # zero (nobody could have answered it).
    posted: bool = True


NOT_POSTED = ("not yet", "posted")


def nice_step(top: int, ticks: int = 5) -> int:
    """A round step (1, 2, 5 × 10ⁿ) that divides 0..top into about `ticks` parts."""
    raw = max(1, top) / ticks
    magnitude = 1
    while magnitude * 10 <= raw:
        magnitude *= 10
    for factor in (1, 2, 5, 10):
        if magnitude * factor >= raw:
            return magnitude * factor
    return magnitude * 10  # pragma: no cover - the loop always returns


def participation_chart(title: str, bars: Sequence[Bar]) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=14)
    heading = ImageFont.load_default(size=18)
    draw.text((_MARGIN_LEFT, 16), title, fill=_INK, font=heading)

    top = max([b.responses for b in bars] + [b.participants for b in bars] + [1])
    step = nice_step(top)
    ceiling = step * -(-top // step)
    left, right = _MARGIN_LEFT, WIDTH - _MARGIN_RIGHT
    upper, lower = _MARGIN_TOP, HEIGHT - _MARGIN_BOTTOM

    def y_of(value: int) -> float:
        return lower - (lower - upper) * value / ceiling

    for value in range(0, ceiling + 1, step):
        y = y_of(value)
        draw.line((left, y, right, y), fill=_GRID if value else _INK)
        label = str(value)
        draw.text((left - 8 - draw.textlength(label, font=font), y - 8), label, fill=_MUTED,
                  font=font)

    _draw_bars(draw, font, bars, (left, right, lower), y_of)
    caption = "session"
    draw.text(((left + right - draw.textlength(caption, font=font)) / 2, lower + 30), caption,
              fill=_MUTED, font=font)

    x: float = right - 330
    for name, colour in (("participants who responded", PARTICIPANT_COLOUR),
                         ("responses", RESPONSE_COLOUR)):
        draw.rectangle((x, 48, x + 12, 60), fill=colour)
        draw.text((x + 18, 46), name, fill=_INK, font=font)
        x += 26 + draw.textlength(name, font=font) + 16

    out = io.BytesIO()
    # Not optimize=True: it saves 5 % of 17 kB for two and a half times the CPU (80 ms here).
    image.save(out, format="PNG")
    return out.getvalue()


def _draw_bars(draw: ImageDraw, font: FreeTypeFont | ImageFont, bars: Sequence[Bar],
               box: tuple[int, int, int], y_of: Callable[[int], float]) -> None:
    """Each session's pair of bars with their counts, or its "not yet posted" mark."""
    left, right, lower = box
    slot = (right - left) / max(1, len(bars))
    bar_width = min(28.0, slot * 0.35)
    for index, bar in enumerate(bars):
        middle = left + slot * (index + 0.5)
        pairs = ((-bar_width, bar.participants, PARTICIPANT_COLOUR),
                 (0.0, bar.responses, RESPONSE_COLOUR)) if bar.posted else ()
        for line, words in enumerate(() if bar.posted else NOT_POSTED):
            draw.text((middle - draw.textlength(words, font=font) / 2, lower - 40 + 17 * line),
                      words, fill=_MUTED, font=font)
        for offset, value, colour in pairs:
            x0 = middle + offset
            if value:
                draw.rectangle((x0, y_of(value), x0 + bar_width - 1, lower), fill=colour)
            count = str(value)
            draw.text((x0 + (bar_width - draw.textlength(count, font=font)) / 2,
                       y_of(value) - 18), count, fill=_INK, font=font)
        draw.text((middle - draw.textlength(bar.label, font=font) / 2, lower + 8), bar.label,
                  fill=_INK if bar.posted else _MUTED, font=font)
