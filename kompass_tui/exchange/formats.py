"""The export formats, one registry: each with its name, file suffix, what it holds, its encoding
rule and how it is made (and, for md and csv, how the action plan alone is: --actions). The CLI's
--format choices, the service's export and the app's export dialog all read it; a new format is
one entry here.

Reading is decided by content: a JSON evaluation, or CSV rows (parse); an action plan's CSV is told
by its header (actioncsv.holds_actions) and read by the service, into an evaluation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING

from kompass_tui.errors import InputError

if TYPE_CHECKING:
    from kompass_tui.core.comparison import Comparison
    from kompass_tui.core.followup import Followup
    from kompass_tui.core.framework import Framework
    from kompass_tui.core.model import Evaluation
    from kompass_tui.exchange.csvfile import AreaRow, QuestionRow


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


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    holds: str  # for help texts
    render: Callable[[Evaluation, Framework, Context], str]
    data: bool = False  # to import again: nothing longer than an import takes (cleaning.within_limits)
    compares: bool = False  # may hold a comparison with other evaluations
    bom_for: tuple[str, ...] = ()  # languages whose files start with a BOM (Swedish Excel opens those as UTF-8)
    # the action plan alone (export --actions); None: this format does not hold it
    actions: Callable[[Evaluation, Framework, Context], str] | None = None

    def encode(self, text: str, lang: str) -> bytes:
        return text.encode("utf-8-sig" if lang in self.bom_for else "utf-8")


def _markdown(ev: Evaluation, fw: Framework, context: Context) -> str:
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
