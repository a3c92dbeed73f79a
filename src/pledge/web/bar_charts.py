"""Horizontal bar charts as inline SVG, drawn on the server: no script, nothing from a CDN.

Each chart is a list of bars whose lengths are computed here; the template
writes one ``<rect>`` and two ``<text>`` per bar, so the page needs no
JavaScript and keeps its Content-Security-Policy. The same figures are shown
in a table beside each chart for screen readers and copying.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from pledge.site_analytics import Group

WIDTH = 640
LABEL_WIDTH = 200
VALUE_WIDTH = 80
ROW = 24
MAX_BARS = 20


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str
    """The value as written beside the bar."""
    y: int
    length: int


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]
    width: int = WIDTH
    label_width: int = LABEL_WIDTH

    @property
    def height(self) -> int:
        return max(ROW, ROW * len(self.bars))

    @property
    def summary(self) -> str:
        """What the image shows, for its accessible name."""
        if not self.bars:
            return f"{self.title}: no group large enough to show"
        return f"{self.title}: " + "; ".join(f"{b.label} {b.shown}" for b in self.bars)


def chart(title: str, values: Iterable[tuple[str, float]], unit: str = "") -> Chart:
    """Bars for ``values`` (label, value), longest first, at most ``MAX_BARS``."""
    items = list(values)[:MAX_BARS]
    top = max((value for _, value in items), default=0) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = [
        Bar(
            label=label,
            value=value,
            shown=f"{value:g}{unit}",
            y=index * ROW,
            length=max(1, round(room * value / top)) if value else 0,
        )
        for index, (label, value) in enumerate(items)
    ]
    return Chart(title=title, bars=bars)


def totals(groups: Iterable[Group]) -> list[tuple[str, float]]:
    """Page views per key over the period (of the groups shown), largest first."""
    summed: dict[str, int] = defaultdict(int)
    for group in groups:
        summed[group.key] += group.events
    return sorted(((k, float(v)) for k, v in summed.items()), key=lambda kv: (-kv[1], kv[0]))


def per_day(
    groups: Iterable[Group], *, mean: bool = False, visitors: bool = False
) -> list[tuple[str, float]]:
    """One bar per day, in date order: its page views, distinct visitors or mean seconds."""
    ordered = sorted(groups, key=lambda g: g.day)
    return [(g.day.isoformat(), _value(g, mean=mean, visitors=visitors)) for g in ordered]


def _value(group: Group, *, mean: bool, visitors: bool) -> float:
    if mean:
        return group.mean_seconds
    return float(group.visitors if visitors else group.events)
