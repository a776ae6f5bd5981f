"""Horizontal bar charts drawn as SVG on the server: no script, readable by screen readers (a
title and a description on the chart, the value written next to every bar)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

LABEL_WIDTH = 120  # px for the street names
BAR_AREA = 260  # px for the longest bar
VALUE_WIDTH = 90  # px for the value written after the bar
ROW_HEIGHT = 32
BAR_HEIGHT = 20


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the value as written next to the bar ("—" when there is none)
    y: int
    width: float  # px; 0 for no value
    text_x: float


@dataclass(frozen=True)
class BarChart:
    key: str  # unique within the page, for the title/desc ids
    title: str
    description: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


def bar_chart(
    *, key: str, title: str, description: str, values: Sequence[tuple[str, Decimal | int | None, str]], scale: float
) -> BarChart:
    """``values`` are (label, value, text); ``scale`` is the value of a full-length bar (e.g. 100
    for percentages), or 0 to scale to the largest value."""
    top = scale or max((float(value) for _label, value, _text in values if value is not None), default=0.0)
    bars = []
    for index, (label, value, text) in enumerate(values):
        width = 0.0 if value is None or top <= 0 else round(min(float(value) / top, 1.0) * BAR_AREA, 1)
        bars.append(
            Bar(
                label=label,
                text=text,
                y=index * ROW_HEIGHT,
                width=width,
                text_x=LABEL_WIDTH + width + 6,
            )
        )
    return BarChart(
        key=key,
        title=title,
        description=description,
        bars=bars,
        width=LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        height=max(len(bars), 1) * ROW_HEIGHT,
    )
