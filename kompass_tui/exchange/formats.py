"""The export formats, one registry: each with its name, file suffix, what it holds, its encoding
rule and how it is made (and, for md and csv, how the action plan alone is: --actions). The CLI's
--format choices, the service's export and the app's export dialog all read it; a new format is
one entry here.

The report's documents (html, pdf, docx, and md with its pictures beside it) are made from the
report's one Markdown (report.render): its charts drawn as pictures (figures) where the text has
a picture's link, and that Markdown read back as HTML (htmlfile, printed to PDF by pdffile) or as
Word (wordfile). Their libraries are the documents extra, imported only when such an export runs.

Reading is decided by content: a JSON evaluation, or CSV rows (parse); an action plan's CSV is told
by its header (actioncsv.holds_actions) and read by the service, into an evaluation."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import PurePath
from typing import TYPE_CHECKING, Generic, TypeVar
from urllib.parse import quote

from kompass_tui.errors import InputError

if TYPE_CHECKING:
    from kompass_tui.core.comparison import Comparison
    from kompass_tui.core.followup import Followup
    from kompass_tui.core.framework import Framework
    from kompass_tui.core.model import Evaluation
    from kompass_tui.exchange.charts import Chart
    from kompass_tui.exchange.csvfile import AreaRow, QuestionRow


T = TypeVar("T", str, bytes)


@dataclass(frozen=True)
class Context:
    """What an export may need besides the evaluation and its framework."""

    lang: str
    comparison: Comparison | None = None
    rounds: Callable[[], Sequence[Evaluation]] = lambda: ()  # the municipality's rounds, when asked for
    charts: bool = True
    internal: bool = False  # the report with the team's working papers (report.render)
    report: Callable[[str], object] = field(default=lambda message: None)  # where warnings go
    followup: Callable[[], Followup | None] = lambda: None  # the previous round's action plan, when asked for
    today: str = ""  # YYYY-MM-DD: what an open action is overdue against ('' marks none)
    images: str = ""  # md: the charts as SVG files beside the report, named after this stem ('' none)


@dataclass(frozen=True)
class Output:
    """A document that is more than text: its bytes and the files it links, to be written beside
    it (by name)."""

    data: bytes
    beside: Mapping[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    holds: str  # for help texts
    render: Callable[[Evaluation, Framework, Context], str | Output]  # Output: a file only (not to stdout)
    data: bool = False  # to import again: nothing longer than an import takes (cleaning.within_limits)
    compares: bool = False  # may hold a comparison with other evaluations
    bom_for: tuple[str, ...] = ()  # languages whose files start with a BOM (Swedish Excel opens those as UTF-8)
    # the action plan alone (export --actions); None: this format does not hold it
    actions: Callable[[Evaluation, Framework, Context], str] | None = None

    def encode(self, text: str, lang: str) -> bytes:
        return text.encode("utf-8-sig" if lang in self.bom_for else "utf-8")


def _report(ev: Evaluation, fw: Framework, context: Context, figure: Callable[[Chart], str] | None = None) -> str:
    from kompass_tui.exchange import report

    return report.render(
        ev,
        fw,
        context.lang,
        context.comparison,
        context.rounds(),
        context.charts,
        internal=context.internal,
        followup=context.followup(),
        today=context.today,
        figure=figure,
    )


def _markdown(ev: Evaluation, fw: Framework, context: Context) -> str | Output:
    if not context.images:
        return _report(ev, fw, context)
    from kompass_tui.i18n import t

    def name(chart: Chart, n: int) -> str:  # report-profil.svg beside report.md
        return f"{context.images}-{t(context.lang, 'file_' + chart.kind)}.svg"

    pictures = _Pictures(_svg(context.lang), name)
    text = _report(ev, fw, context, pictures)
    return Output(DEFAULT.encode(text, context.lang), {name: svg.encode() for name, svg in pictures.drawn.items()})


def _html(ev: Evaluation, fw: Framework, context: Context) -> str:
    from kompass_tui.exchange import htmlfile

    pictures = _Pictures(_svg(context.lang), lambda chart, n: f"chart-{n}.svg")
    text = _report(ev, fw, context, pictures)
    return htmlfile.write(text, pictures.drawn, context.lang, ev.title)


def _pdf(ev: Evaluation, fw: Framework, context: Context) -> Output:
    from kompass_tui.exchange import pdffile

    return Output(pdffile.print_pdf(_html(ev, fw, context)))


def _docx(ev: Evaluation, fw: Framework, context: Context) -> Output:
    _needs("docx")
    from kompass_tui.exchange import wordfile

    def png(chart: Chart) -> bytes:
        from kompass_tui.exchange import figures

        return figures.png(chart, context.lang)

    pictures = _Pictures(png, lambda chart, n: f"chart-{n}.png")
    text = _report(ev, fw, context, pictures)
    return Output(wordfile.write(text, pictures.drawn, context.lang, ev.title))


def _svg(lang: str) -> Callable[[Chart], str]:
    def svg(chart: Chart) -> str:
        from kompass_tui.exchange import figures

        return figures.svg(chart, lang)

    return svg


class _Pictures(Generic[T]):
    """The report's figure hook for its documents: each chart drawn as a picture (draw) and kept
    by the name given (name: the chart and its number), the Markdown linking it in the text
    chart's place (the trend's note under it)."""

    def __init__(self, draw: Callable[[Chart], T], name: Callable[[Chart, int], str]) -> None:
        self.draw: Callable[[Chart], T] = draw
        self.name = name
        self.drawn: dict[str, T] = {}

    def __call__(self, chart: Chart) -> str:
        from kompass_tui.exchange import markdown as md

        _needs("matplotlib")
        named = self.name(chart, len(self.drawn) + 1)
        self.drawn[named] = self.draw(chart)
        note = getattr(chart, "note", "")
        return f"![{md.inline(chart.caption)}]({quote(named)})" + (f"\n\n*{md.inline(note)}*" if note else "")


def _needs(module: str) -> None:
    """The documents extra, where it is not installed: what to install, in one line."""
    if find_spec(module) is None:
        raise InputError(
            "the report as HTML, PDF or Word, and its charts as pictures, need the documents extra: "
            "pip install 'kompass-tui[documents]'",
            sv="rapporten som HTML, PDF eller Word, och dess diagram som bilder, kräver tillägget documents: "
            "pip install 'kompass-tui[documents]'",
        )


def _markdown_plan(ev: Evaluation, fw: Framework, context: Context) -> str:
    from kompass_tui.exchange import report

    return report.plan_document(ev, fw, context.lang, context.today)


def _csv_plan(ev: Evaluation, fw: Framework, context: Context) -> str:
    from kompass_tui.exchange import actioncsv

    return actioncsv.write(ev, fw, context.lang)


def _csv(ev: Evaluation, fw: Framework, context: Context) -> str:
    from kompass_tui.exchange import csvfile

    return csvfile.write(ev, fw, context.lang, context.report)


def _json(ev: Evaluation, fw: Framework, context: Context) -> str:
    from kompass_tui.exchange import jsonfile

    return jsonfile.dumps(ev)


FORMATS = {
    f.name: f
    for f in (
        Format("md", ".md", "the report (Markdown)", _markdown, compares=True, actions=_markdown_plan),
        Format(
            "csv",
            ".csv",
            "the scores and notes (CSV, as Excel opens it)",
            _csv,
            data=True,
            bom_for=("sv",),
            actions=_csv_plan,
        ),
        Format("json", ".json", "everything, to import or merge (JSON)", _json, data=True),
        Format("html", ".html", "the report as a web page to print (HTML)", _html, compares=True),
        Format("pdf", ".pdf", "the report to publish (PDF, printed by Chromium)", _pdf, compares=True),
        Format("docx", ".docx", "the report to edit in Word (DOCX)", _docx, compares=True),
    )
}
DEFAULT = FORMATS["md"]
NAMES = "|".join(FORMATS)


def get(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise InputError(f"unknown format {name!r}; use {', '.join(FORMATS)}") from None


def for_path(path: str) -> Format:
    """The format a file name asks for by its suffix (report.csv: CSV); the report otherwise."""
    suffix = PurePath(path).suffix.lower()
    return next((f for f in FORMATS.values() if f.suffix == suffix), DEFAULT)


def parse(text: str, name: str) -> Evaluation | list[AreaRow] | list[QuestionRow]:
    """What a file holds, decided by its content: a JSON evaluation, or CSV rows."""
    if text.lstrip().startswith("{"):
        from kompass_tui.exchange import jsonfile

        return jsonfile.loads(text, name)
    from kompass_tui.exchange import csvfile

    return csvfile.read(text, name)
