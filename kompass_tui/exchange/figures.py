"""The report's charts as pictures (matplotlib): SVG for the HTML and the illustrated Markdown, PNG
for the Word document. The same figures as charts.text draws in the terminal, from the same chart
data (exchange.charts), so a picture and its text never disagree.

- Every number is written by points.fmt (or comparison.signed for a change): "76,5" in Swedish.
- Every label is user text (a municipality, an area from a framework file): shown through
  sanitize.one_line and never parsed as mathtext (text.parse_math off), so "$" is a dollar sign and
  a control character never reaches the file.
- Colours are the Okabe–Ito palette without its yellow, and the series of a comparison differ in
  hatch too, so a greyscale print or a colour-blind reader tells them apart.
- The SVG is byte-identical for the same input (fixed hash salt, no date) and needs no font (text
  as paths); each text is also written beside its glyphs as an XML comment.

matplotlib keeps its settings in one global rcParams: every drawing happens under _lock, inside an
rc_context that starts from matplotlib's defaults (so a user's matplotlibrc changes nothing).
Only the object API is used (Figure and its canvas), never pyplot.
"""

from __future__ import annotations

import io
import math
import textwrap
import threading
import warnings
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Literal

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator
from matplotlib.typing import RcKeyType

from kompass_tui.core.comparison import signed
from kompass_tui.core.points import fmt
from kompass_tui.core.sanitize import one_line
from kompass_tui.exchange.charts import PARTIAL, ChangeBars, Chart, Grouped, Profile, Trend

_lock = threading.Lock()  # matplotlib.rcParams is global: one drawing at a time

WIDTH = 6.3  # inches: an A4 text column
DPI = 200  # the PNG for the Word document
# Okabe & Ito (2008) without its yellow, which vanishes on white paper
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000")
HATCHES = ("", "////", "....", "\\\\\\\\", "xxx", "----", "oo")  # one per series, 7 and 7: 7 pairs before a repeat
REFERENCE_STYLES: tuple[tuple[float, tuple[float, ...]], ...] = (
    (0, (5, 2)),
    (0, (1, 1.5)),
    (0, (6, 2, 1, 2)),
    (0, (2, 2)),
)  # dashed, dotted, dash-dot, short
POSITIVE, NEGATIVE = "#0072B2", "#D55E00"
GRID = "#d9d9d9"
TEXT = "#222222"
WRAP = 28  # characters of an area's name per line in the comparison
LEGEND_WRAP = 36  # characters of a municipality's name per line in the legend
LABEL_LIMIT = 120  # characters of a label at most (a framework file's area name is far shorter)

_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "path",
    "svg.hashsalt": "kompass",
    "text.parse_math": False,
    "text.usetex": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 8.5,
    "axes.titlesize": 10,
    "axes.labelsize": 8.5,
    "axes.edgecolor": "#555555",
    "axes.labelcolor": TEXT,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "xtick.color": "#555555",
    "ytick.color": "#555555",
    "xtick.labelcolor": TEXT,
    "ytick.labelcolor": TEXT,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "hatch.linewidth": 0.6,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "figure.constrained_layout.h_pad": 0.06,
    "figure.constrained_layout.w_pad": 0.06,
}

_HALO = {"boxstyle": "square,pad=0.08", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}

# sanitize.one_line shows a control character as its control picture (␛), which DejaVu Sans has not:
# in a picture it is written as its escape (\x1b), as one_line writes the C1 controls. And XML 1.0
# refuses U+FFFE and U+FFFF, which one_line (made for terminals) lets through.
_PICTURE = {
    **{0x2400 + c: f"\\x{c:02x}" for c in range(0x20)},
    0x2421: "\\x7f",
    0xFFFE: "\ufffd",
    0xFFFF: "\ufffd",
}


def svg(chart: Chart, lang: str) -> str:
    """The chart as a standalone SVG document, its caption as the document's <title>; the same
    bytes for the same chart."""
    data = _render(chart, lang, "svg", {"Date": None, "Title": _label(chart.caption)})
    return data.decode("utf-8")


def png(chart: Chart, lang: str) -> bytes:
    """The chart as a PNG at DPI dots per inch (for the Word document), without date or software."""
    return _render(chart, lang, "png", {"Software": None})


def _render(chart: Chart, lang: str, form: str, metadata: dict[str, Any]) -> bytes:
    draw = _DRAW[type(chart)]
    buffer = io.BytesIO()
    with _lock, matplotlib.rc_context(), warnings.catch_warnings():
        # a character none of the fonts has is drawn as a box: no warning on the terminal's stderr
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning)
        matplotlib.rcdefaults()  # not the user's matplotlibrc: the same picture on every machine
        matplotlib.rcParams.update(_RC)
        fig = Figure(figsize=(WIDTH, 3.0), dpi=DPI, layout="constrained")
        draw(fig, chart, lang)
        fig.savefig(buffer, format=form, dpi=DPI, metadata=metadata)
    return buffer.getvalue()


def _label(text: str, limit: int = LABEL_LIMIT) -> str:
    """User text as one visible line, safe in XML, at most limit characters."""
    return one_line(text, limit).translate(_PICTURE)


def _wrapped(text: str, width: int, limit: int = LABEL_LIMIT) -> str:
    return "\n".join(textwrap.wrap(_label(text, limit), width, break_on_hyphens=False) or [""])


def _number(x: float, lang: str) -> str:
    """An axis tick: fmt of the tick's value (rounded off its float noise), a real minus sign."""
    value = Decimal(repr(round(float(x), 6)))
    return ("−" if value < 0 else "") + fmt(abs(value), lang)


def _top(maximum: Decimal) -> float:
    """The end of the value axis: the chart's maximum (1 where it is no positive number)."""
    top = float(maximum)
    return top if math.isfinite(top) and top > 0 else 1.0


def _at(value: Decimal | None, low: float, high: float) -> float:
    """Where a value is drawn on an axis from low to high: a value past an end at that end (as
    charts.bar does), None or one that is not a number (a hand-edited file's NaN) at 0."""
    x = float(value) if value is not None else 0.0
    return min(max(x, low), high) if math.isfinite(x) else 0.0


def _quarters(top: float) -> list[float]:
    """0 to the top in quarters, the ticks of charts.text."""
    return [top * k / 4 for k in range(5)]


def _value_axis(ax: Axes, axis: Literal["x", "y"], lang: str, ticks: Sequence[float] | None = None) -> None:
    """The value axis: ticks written by fmt, a light grid across the plot; the other axis bare."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    if ticks is not None:
        target.set_major_locator(FixedLocator(list(ticks)))
    target.set_major_formatter(FuncFormatter(lambda x, _pos: _number(x, lang)))
    ax.grid(True, axis=axis, color=GRID, linewidth=0.6)
    ax.tick_params(axis="y" if axis == "x" else "x", length=0)


def _height(rows: float, extra: float) -> float:
    return max(1.6, rows + extra)


def _profile(fig: Figure, chart: Profile, lang: str) -> None:
    n = len(chart.labels)
    fig.set_size_inches(WIDTH, _height(0.3 * n, 0.6))
    ax = fig.add_subplot()
    ys = list(range(n))
    top = _top(chart.maximum)
    widths = [_at(v, 0, top) for v in chart.values]
    ax.barh(ys, widths, height=0.62, color=COLOURS[0])
    for y, value, width in zip(ys, chart.values, widths, strict=True):
        ax.annotate(
            fmt(value, lang),
            (width, y),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            ha="left",
            fontsize=7.5,
            color=TEXT,
            annotation_clip=False,
        )
    ax.set_yticks(ys, [_wrapped(label, WRAP + 6) for label in chart.labels])
    ax.set_ylim(n - 0.5, -0.5)  # area 1 on top
    ax.set_xlim(0, top)
    _value_axis(ax, "x", lang, _quarters(top))


def _grouped(fig: Figure, chart: Grouped, lang: str) -> None:
    bars = [s for s in chart.series if not s.reference]
    references = [s for s in chart.series if s.reference]
    areas = [_wrapped(area, WRAP) for area in chart.areas]
    k = max(1, len(bars))
    end = _top(chart.maximum)
    lines = max((area.count("\n") + 1 for area in areas), default=1)
    slot = max(0.14, 0.15 * lines / k)  # inches per bar: a group is never lower than its wrapped name
    gap = 0.6 + 0.75 * len(references)  # slots between groups (a reference's value is written there)
    rows = len(areas) * (k + gap)
    names = [_wrapped(s.name, LEGEND_WRAP, 80) for s in chart.series]
    longest = max((len(line) for name in names for line in name.splitlines()), default=0)
    columns = max(1, min(3, len(names), 84 // (longest + 8)))  # the legend is as wide as the figure at most
    legend_rows = sum(
        max(name.count("\n") + 1 for name in names[i : i + columns]) for i in range(0, len(names), columns)
    )
    fig.set_size_inches(WIDTH, _height(slot * rows, 0.45 + 0.2 * legend_rows))
    ax = fig.add_subplot()
    tops = [i * (k + gap) + gap for i in range(len(areas))]  # the first bar's slot in each group
    handles: list[Patch | Line2D] = []
    for j, series in enumerate(bars):
        colour, hatch = COLOURS[j % len(COLOURS)], HATCHES[j % len(HATCHES)]
        ys = [top + j for top, value in zip(tops, series.values, strict=True) if value is not None]
        values = [value for value in series.values if value is not None]
        partial = [p for p, value in zip(series.partial, series.values, strict=True) if value is not None]
        ax.barh(
            ys,
            [_at(v, 0, end) for v in values],
            height=0.82,
            color=colour,
            hatch=hatch,
            edgecolor="white",
            hatchcolor="white",
            linewidth=0.4,
        )
        for y, value, mark in zip(ys, values, partial, strict=True):
            ax.annotate(
                fmt(value, lang) + (" " + PARTIAL if mark else ""),
                (_at(value, 0, end), y),
                xytext=(2, 0),
                textcoords="offset points",
                va="center",
                ha="left",
                fontsize=6.5,
                color=TEXT,
                annotation_clip=False,
                bbox=_HALO,  # over a reference's line, which breaks around it
                zorder=4,
            )
        handles.append(
            Patch(
                facecolor=colour,
                hatch=hatch,
                edgecolor="white",
                hatchcolor="white",
                label=_wrapped(series.name, LEGEND_WRAP, 80),
            )
        )
    for j, series in enumerate(references):
        style = REFERENCE_STYLES[j % len(REFERENCE_STYLES)]
        colour = "#000000" if j == 0 else "#555555"
        for top, average, mark in zip(tops, series.values, series.partial, strict=True):
            if average is None:
                continue
            ax.vlines(_at(average, 0, end), top - 0.5, top + k - 0.5, colors=colour, linestyles=style, linewidth=1.3)
            ax.annotate(
                fmt(average, lang) + (" " + PARTIAL if mark else ""),
                (_at(average, 0, end), top - 0.5 - 0.75 * (len(references) - 1 - j)),
                xytext=(0, 1),
                textcoords="offset points",
                va="bottom",
                ha="center",
                fontsize=6.5,
                fontstyle="italic",
                color=colour,
                annotation_clip=False,
            )
        handles.append(
            Line2D([], [], color=colour, linestyle=style, linewidth=1.3, label=_wrapped(series.name, LEGEND_WRAP, 80))
        )
    ax.set_yticks([top + (k - 1) / 2 for top in tops], areas)
    ax.set_ylim(rows - 0.3, 0.1)  # area 1 on top, each group under its references' values
    ax.set_xlim(0, end)
    _value_axis(ax, "x", lang, _quarters(end))
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncols=columns, handlelength=2.2)


def _change(fig: Figure, chart: ChangeBars, lang: str) -> None:
    n = len(chart.labels)
    fig.set_size_inches(WIDTH, _height(0.3 * n, 0.6))
    ax = fig.add_subplot()
    ys = list(range(n))
    finite = [abs(float(c)) for c in chart.changes if c is not None and math.isfinite(float(c))]
    limit = max([*finite, 1.0]) * 1.3  # symmetric about 0, with room for the labels
    for y, change in zip(ys, chart.changes, strict=True):
        if change is not None and change.is_nan():  # only from a hand-edited file: said, not drawn
            label, change = fmt(change, lang), None
        else:
            label = signed(change, lang) if change is not None else "–"
        if change is not None and change != 0:
            up = change > 0
            ax.barh(
                y,
                _at(change, -limit, limit),
                height=0.62,
                color=POSITIVE if up else NEGATIVE,
                hatch="" if up else "////",
                edgecolor="white",
                hatchcolor="white",
                linewidth=0.4,
            )
        left = change is not None and change < 0
        ax.annotate(
            label,
            (_at(change, -limit, limit), y),
            xytext=(-3 if left else 3, 0),
            textcoords="offset points",
            va="center",
            ha="right" if left else "left",
            fontsize=7.5,
            color=TEXT,
            annotation_clip=False,
        )
    ax.set_xlim(-limit, limit)
    ax.axvline(0, color="#333333", linewidth=0.9)
    ax.spines["left"].set_visible(False)
    ax.set_yticks(ys, [_wrapped(label, WRAP + 6) for label in chart.labels])
    ax.set_ylim(n - 0.5, -0.5)  # area 1 on top
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, symmetric=True, steps=[1, 2, 2.5, 5, 10]))
    _value_axis(ax, "x", lang)


def _trend(fig: Figure, chart: Trend, lang: str) -> None:
    fig.set_size_inches(WIDTH, 2.9 + (0.25 if chart.note else 0.0))
    ax = fig.add_subplot()
    xs = list(range(len(chart.points)))  # by index: two rounds may share a year
    totals = [total for _, total in chart.points]
    top = _top(chart.maximum)
    ax.plot(xs, [_at(v, 0, top) for v in totals], color=COLOURS[0], marker="o", markersize=5, linewidth=1.6)
    for n, (x, total) in enumerate(zip(xs, totals, strict=True)):
        mark = " " + PARTIAL if n < len(chart.unfinished) and chart.unfinished[n] else ""
        high = _at(total, 0, top) > 0.88 * top  # near the top: written under its point
        ax.annotate(
            fmt(total, lang) + mark,
            (x, _at(total, 0, top)),
            xytext=(0, -8 if high else 7),
            textcoords="offset points",
            va="top" if high else "bottom",
            ha="center",
            fontsize=7.5,
            color=TEXT,
            annotation_clip=False,
        )
    ax.set_xticks(xs, [_wrapped(label, 16, 40) for label, _ in chart.points])
    ax.set_xlim(-0.5, len(xs) - 0.5)
    ax.set_ylim(0, top)
    _value_axis(ax, "y", lang, _quarters(top))
    if chart.title:
        ax.set_title(_label(chart.title), loc="left")
    if chart.note:
        ax.set_xlabel(_wrapped(chart.note, 110, 1000), fontsize=7, loc="left", labelpad=6)


_DRAW: dict[type, Callable[[Figure, Any, str], None]] = {
    Profile: _profile,
    Grouped: _grouped,
    ChangeBars: _change,
    Trend: _trend,
}
