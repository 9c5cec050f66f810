"""The report's charts: what each one shows (Profile, Grouped, ChangeBars, Trend: figures and labels,
made by exchange.report from an evaluation) and how it reads as plain text (text()). The same
charts are drawn as pictures by exchange.figures, for the HTML, Word and illustrated Markdown.

As text: the area profile and the trend drawn with plotext, the grouped comparison drawn here
(plotext's grouped bars overlap and vary in width by rounding, which misreports scores). Pure:
numbers in, text out, no colour codes (and labels shown through sanitize.one_line), so the same
text serves the terminal, the app and a fenced block in the Markdown report. Every bar is labelled
with what it is and its value, so a chart reads the same with NO_COLOR. Labels are whole words or
area numbers, never cut.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import ModuleType

from kompass_tui.core.points import fmt
from kompass_tui.core.sanitize import one_line

EIGHTHS = " ▏▎▍▌▋▊▉"
NAME_WIDTH = 24  # characters of a name beside its bar (a long one is cut with …; the bars keep their room)
_plotext_lock = threading.Lock()  # plotext keeps one global figure

PARTIAL = "†"  # the mark of a figure or round not wholly scored (charts, and the tables' cells)


@dataclass(frozen=True)
class Profile:
    """The area profile: one bar per area (0 to maximum), top to bottom in the framework's order.
    A label is the area's number and short name, marked † where the area is not wholly scored."""

    caption: str
    labels: tuple[str, ...]
    values: tuple[Decimal | None, ...]
    maximum: Decimal
    kind = "profile"


@dataclass(frozen=True)
class Series:
    """One municipality's (or reference's) values in a grouped chart, one per area, and whether each
    is not wholly scored. A reference (a national average, say) is drawn apart from the bars."""

    name: str
    values: tuple[Decimal | None, ...]
    partial: tuple[bool, ...]
    reference: bool = False


@dataclass(frozen=True)
class Grouped:
    """The comparison: per area (its number and name), one bar per municipality, references after."""

    caption: str
    areas: tuple[str, ...]
    series: tuple[Series, ...]
    maximum: Decimal
    kind = "comparison"


@dataclass(frozen=True)
class ChangeBars:
    """The change of each area since the previous round (None: not scored in one of them)."""

    caption: str
    labels: tuple[str, ...]
    changes: tuple[Decimal | None, ...]
    kind = "change"


@dataclass(frozen=True)
class Trend:
    """The total across a municipality's rounds, oldest first; a label is the round's year (marked
    ‡ for another version of the framework, explained by note); unfinished marks a round not wholly
    scored (†)."""

    caption: str
    points: tuple[tuple[str, Decimal], ...]
    maximum: Decimal
    title: str
    unfinished: tuple[bool, ...]
    note: str = ""
    kind = "trend"


Chart = Profile | Grouped | ChangeBars | Trend


def text(chart: Chart, width: int, lang: str) -> str | None:
    """The chart as plain text `width` columns wide; None for the change, which its table says."""
    if isinstance(chart, Profile):
        return profile(chart.labels, chart.values, width, lang, chart.maximum)
    if isinstance(chart, Grouped):

        def bar_name(series: Series, n: int) -> str:  # marked where not wholly scored
            return f"{series.name} {PARTIAL}" if series.values[n] is not None and series.partial[n] else series.name

        groups = [(area, [(bar_name(s, n), s.values[n]) for s in chart.series]) for n, area in enumerate(chart.areas)]
        return grouped(groups, width, lang, chart.maximum)
    if isinstance(chart, Trend):
        drawn = trend(chart.points, width, 12, lang, chart.maximum, chart.title, chart.unfinished)
        return drawn + ("\n" + chart.note if chart.note else "")
    return None


def _build(draw: Callable[[ModuleType], None], width: int, height: int) -> str:
    import plotext as plt

    with _plotext_lock:
        plt.clear_figure()
        plt.theme("clear")
        plt.plotsize(width, height)
        draw(plt)
        text = plt.uncolorize(plt.build())
        plt.clear_figure()
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")


def _ticks(maximum: Decimal, lang: str) -> tuple[list[float], list[str]]:
    steps = [maximum * k / 4 for k in range(5)]
    return [float(s) for s in steps], [fmt(s, lang) for s in steps]


def profile(
    labels: Sequence[str], values: Sequence[Decimal | None], width: int, lang: str, maximum: Decimal = Decimal(100)
) -> str:
    """Horizontal bars, one per area, top to bottom, on a 0–maximum axis; each label carries its value."""
    rows = [f"{one_line(label)} {fmt(value, lang)}" for label, value in zip(labels, values, strict=True)]
    numbers = [float(v) if v is not None else 0.0 for v in values]

    def draw(plt: ModuleType) -> None:
        # plotext draws the first bar at the bottom: reverse, so area 1 is on top as in the tables
        plt.bar(rows[::-1], numbers[::-1], orientation="horizontal", width=0.5, marker="█")
        plt.xlim(0, float(maximum))
        plt.xticks(*_ticks(maximum, lang))

    return _build(draw, width, len(rows) + 3)


def trend(
    points: Sequence[tuple[str, Decimal]],
    width: int,
    height: int,
    lang: str,
    maximum: Decimal,
    title: str = "",
    unfinished: Sequence[bool] = (),
) -> str:
    """The total across a municipality's evaluations, oldest first; each round's label carries its
    total, marked † where the round is not wholly scored (unfinished)."""
    marks = [PARTIAL if n < len(unfinished) and unfinished[n] else "" for n in range(len(points))]
    xs = list(range(1, len(points) + 1))

    def draw(plt: ModuleType) -> None:
        plt.plot(xs, [float(v) for _, v in points], marker="dot")
        plt.scatter(xs, [float(v) for _, v in points], marker="●")
        plt.xticks(
            xs, [f"{one_line(label)}: {fmt(v, lang)}{mark}" for (label, v), mark in zip(points, marks, strict=True)]
        )
        plt.xlim(0.5, len(points) + 0.5)
        plt.ylim(0, float(maximum))
        plt.yticks(*_ticks(maximum, lang))
        if title:
            plt.title(one_line(title))

    return _build(draw, width, height)


def bar(value: Decimal | None, maximum: Decimal, cells: int) -> str:
    """A bar `cells` wide for 0..maximum, exact to an eighth of a cell."""
    if value is None or value <= 0:
        return " " * cells
    eighths = int((min(value, maximum) / maximum * cells * 8).to_integral_value())
    full, part = divmod(eighths, 8)
    text = "█" * full + (EIGHTHS[part] if part else "")
    return text.ljust(cells)


def grouped(
    groups: Sequence[tuple[str, Sequence[tuple[str, Decimal | None]]]],
    width: int,
    lang: str,
    maximum: Decimal = Decimal(100),
) -> str:
    """Groups of labelled horizontal bars (an area, then one bar per municipality), on one axis."""
    groups = [
        (one_line(label), [(one_line(name, NAME_WIDTH), value) for name, value in members]) for label, members in groups
    ]
    names = [name for _, members in groups for name, _ in members]
    name_width = max((len(n) for n in names), default=0) + 3
    value_width = max((len(fmt(v, lang)) for _, members in groups for _, v in members), default=1) + 1
    cells = max(10, width - name_width - value_width - 2)
    _, ticks = _ticks(maximum, lang)
    axis = ["─"] * (cells + 1)
    scale = list(" " * (cells + len(ticks[-1])))
    for k, tick in enumerate(ticks):
        at = round(cells * k / 4)
        axis[min(at, cells)] = "┼" if 0 < k < 4 else ("├" if k == 0 else "┤")
        start = min(max(0, at - len(tick) // 2), len(scale) - len(tick))
        scale[start : start + len(tick)] = tick
    pad = " " * name_width
    lines = [pad + "".join(scale).rstrip(), pad + "".join(axis)]
    for label, members in groups:
        lines.append(label)
        for name, value in members:
            lines.append(
                f"  {name:<{name_width - 2}}{bar(value, maximum, cells)} {fmt(value, lang):>{value_width - 1}}".rstrip()
            )
    return "\n".join(lines)
