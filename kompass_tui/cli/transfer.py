"""Commands for files and views: import, export, compare, chart."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from kompass_tui.cli.main import (
    FORMATS_HELP,
    AsOption,
    DbOption,
    LangOption,
    _bench,
    _console,
    _evaluator,
    _ids,
    _lang,
    _say,
    _warn,
    _words,
    app,
)
from kompass_tui.core.framework import DEFAULT_FRAMEWORK
from kompass_tui.exchange import formats

if TYPE_CHECKING:
    from kompass_tui.service.workbench import ExportOptions

AverageOfOption = Annotated[
    Optional[str],
    typer.Option(
        "--average-of",
        metavar="FRAMEWORK[:YEARS]",
        help="Also the mean of every wholly scored evaluation of the framework in the database (references "
        "left out), as a reference: kommunkompassen-2003, or of some years: kommunkompassen-2003:2003-2004.",
        show_default=False,
    ),
]
IncludePartialOption = Annotated[
    bool,
    typer.Option(
        "--include-partial",
        help="Count evaluations and areas not wholly scored in the best, averages, ranks and changes "
        "(they are always shown, marked †).",
    ),
]


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="A .json evaluation, or a .csv of area or sub-question scores, or of an action plan."
        ),
    ],
    into: Annotated[
        Optional[str],
        typer.Option(
            "--into", metavar="ID", help="Evaluation id that a CSV of sub-question scores or an action plan belongs to."
        ),
    ] = None,
    framework: Annotated[
        Optional[str],
        typer.Option(
            "--framework",
            "-f",
            metavar="ID",
            help=f"Framework of a CSV of area scores (default: your settings' framework, else {DEFAULT_FRAMEWORK}).",
        ),
    ] = None,
    encoding: Annotated[
        Optional[str],
        typer.Option(
            "--encoding",
            metavar="NAME",
            help="The file's encoding, e.g. cp1252 (default: UTF-8, else Windows-1252 as Excel writes it).",
            show_default=False,
        ),
    ] = None,
    reference: Annotated[
        bool,
        typer.Option(
            "--reference",
            help="Every row of a CSV of area scores is a reference (a national or group average, not a "
            "municipality); a reference (referens) column of ja/yes/1/x marks single rows.",
        ),
    ] = False,
    as_: AsOption = None,
    db: DbOption = None,
) -> None:
    """Import evaluations from JSON or CSV.

    CSV may use ; or , and decimal comma, as Swedish Excel saves it (UTF-8, or Windows-1252 as in
    Excel's "CSV (semikolonavgränsad)"). Three shapes:

    Area scores, one new area-level evaluation per row: municipality;year;1;2;3;4;5;6;7;8 (a
    reference column, ja/yes/1/x, marks rows that are national or group averages: Sverigesnitt)

    Sub-question scores, into an evaluation (--into ID): question;score;note;sources

    An action plan, into an evaluation (--into ID), as export --actions writes it:
    action;area;improvement;title;description;owner;due;status;comment (or åtgärd;område;…). A row
    with an id changes that action (a comment is logged, as --as), one without adds an action;
    actions not in the file stay as they are.

    Nothing is written unless the whole file is valid."""
    by = _evaluator(ctx, as_)  # who imports: an action plan's changes and comments are logged as theirs
    for ev in _bench(ctx, db).import_file(file, into, framework, encoding=encoding, by=by, reference=reference):
        _say(_words(ctx, "cli_imported", id=ev.id))


@app.command(context_settings={"allow_extra_args": True})
def export(
    ctx: typer.Context,
    id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
    format: Annotated[
        str, typer.Option("--format", "-F", help=FORMATS_HELP, metavar=formats.NAMES)
    ] = formats.DEFAULT.name,
    compare: Annotated[
        Optional[list[str]],
        typer.Option(
            "--compare",
            "-c",
            help="Evaluation ids to compare with (several may follow one --compare).",
            metavar="ID ...",
        ),
    ] = None,
    lang: LangOption = None,
    output: Annotated[
        Optional[Path],
        typer.Option("--output", "-o", metavar="FILE", help="Write to this file instead of standard output."),
    ] = None,
    charts: Annotated[
        bool, typer.Option("--charts/--no-charts", help="The report's charts (text in Markdown, pictures elsewhere).")
    ] = True,
    images: Annotated[
        bool,
        typer.Option(
            "--images",
            help="Markdown: the charts as SVG pictures written beside the file and linked from it "
            "(report-profil.svg beside report.md); needs -o.",
        ),
    ] = False,
    internal: Annotated[
        bool,
        typer.Option(
            "--internal",
            help="Also the team's working papers: every evaluator's notes, the disagreements and how they "
            "were settled, every evaluator's scores.",
        ),
    ] = False,
    include_partial: IncludePartialOption = False,
    actions: Annotated[
        bool,
        typer.Option("--actions", help="Only the action plan (Markdown or CSV), for the municipality's own follow-up."),
    ] = False,
    average_of: AverageOfOption = None,
    db: DbOption = None,
) -> None:
    """Export the report (Markdown, HTML, PDF or Word), CSV or JSON.

    The report is the municipality's document: the area table and profile chart, every sub-question
    with its consensus score and agreed note, the texts, the change since the municipality's
    previous evaluation (if any) and, with --compare, the comparison table with the average and
    ranks, and its chart. No evaluator's own note or score is in it unless --internal.

    -F html is one self-contained page to print (A4, each area on a page of its own); -F pdf prints
    it with a headless Chromium; -F docx is a Word document with Word headings, tables and the charts
    as pictures. These need the documents extra: pip install 'kompass-tui[documents]'.

    With --actions, only the action plan: a Markdown document, or a CSV (one row per action) to
    follow up in Excel and import again (kompass import FILE --into ID)."""
    extra = list(ctx.args)
    if extra and not compare:
        raise typer.BadParameter(f"unexpected {' '.join(extra)!r}; did you mean --compare {' '.join(extra)}?")
    others = _ids((compare or []) + extra)
    bench = _bench(ctx, db)
    options: ExportOptions = {
        "compare": others,
        "charts": charts,
        "internal": internal,
        "include_partial": include_partial,
        "actions": actions,
        "average_of": average_of,
        "images": images,
    }
    if output is None:
        from kompass_tui.core.sanitize import visible

        sys.stdout.write(visible(bench.export(id, format, _lang(lang, ctx), **options)))
        return
    written, replaced = bench.write_export(id, output, format, _lang(lang, ctx), **options)
    _say(_words(ctx, "cli_wrote_replaced" if replaced else "cli_wrote", path=written))


def _width() -> int:
    import shutil

    return max(60, min(100, shutil.get_terminal_size((80, 24)).columns - 1))


@app.command()
def compare(
    ctx: typer.Context,
    ids: Annotated[list[str], typer.Argument(metavar="ID ...", help="Two or more evaluation ids of one framework.")],
    chart: Annotated[bool, typer.Option("--chart", metavar="", help="Also draw the grouped bar chart.")] = False,
    include_partial: IncludePartialOption = False,
    average_of: AverageOfOption = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Compare evaluations side by side.

    Areas × municipalities, the best of each row, the average, totals and ranks, and each one's
    change since its municipality's previous evaluation.

    References (kompass new … --reference, or import --reference) and --average-of are shown apart:
    never ranked or averaged, with each municipality's difference from the first of them.

    Example: kompass compare botkyrka-2003 kalix-2003 nacka-2003 vasteras-2003 trollhattan-2003 --chart"""
    bench, language = _bench(ctx, db), _lang(lang, ctx)
    table = bench.comparison(_ids(ids), include_partial, average_of)
    from kompass_tui.cli.views import comparison_view, print_parts
    from kompass_tui.exchange import tables

    console = _console()
    print_parts(console, comparison_view(table, language, console.width))
    if chart and len(table.evaluations) > tables.WIDE:
        _warn(f"the chart shows up to {tables.WIDE} evaluations; compare fewer to draw it")
    elif chart:
        from kompass_tui.exchange.report import grouped_chart

        console.print()
        console.print(grouped_chart(table, language, _width()), markup=False, highlight=False)


@app.command()
def chart(
    ctx: typer.Context,
    id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Draw the profile (and trend) of an evaluation.

    The area scores as bars and, if the municipality has been evaluated before, the trend of its
    total across the rounds."""
    from kompass_tui.exchange.report import profile_chart, trend_chart

    bench, language = _bench(ctx, db), _lang(lang, ctx)
    ev, fw = bench.get_with_framework(id)
    _say(profile_chart(ev, fw, language, _width()))
    rounds = bench.related(ev, versions=True)  # (other versions' rounds: their totals, marked)
    if len(rounds) > 1:
        _say()
        _say(trend_chart(rounds, fw, language, _width()))
