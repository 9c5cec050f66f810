"""Commands for evaluations: open, demo, new, list, show."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from kompass_tui.cli.main import (
    DbOption,
    LangOption,
    _bench,
    _console,
    _evaluator,
    _lang,
    _open_app,
    _say,
    _warn,
    _words,
    app,
)
from kompass_tui.core.framework import DEFAULT_FRAMEWORK
from kompass_tui.core.model import MAX_YEAR, MIN_YEAR
from kompass_tui.errors import KompassError


@app.command("open")
def open_(
    ctx: typer.Context,
    id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id, e.g. botkyrka-2003.")],
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Open the app at one evaluation.

    The walk-through starts at the first unscored sub-question; a fully scored evaluation opens in
    its overview."""
    bench = _bench(ctx, db)
    bench.get(id)  # an unknown id is refused here, with the usual one-line message
    if not _open_app(bench, _lang(lang, ctx), id, _evaluator(ctx, None), ctx):
        raise KompassError("kompass open needs a terminal; use `kompass show` to print an evaluation")


@app.command()
def demo(
    ctx: typer.Context,
    db: DbOption = None,
    no_open: Annotated[
        bool, typer.Option("--no-open", metavar="", help="Only load the data; do not open the app.")
    ] = False,
    lang: LangOption = None,
) -> None:
    """Load the demo data and open the app.

    The demo is the seed report: Botkyrka 2003 scored per sub-question, and Kalix, Nacka, Västerås
    and Trollhättan 2003 as published area scores. Evaluations already there are kept as they are."""
    bench = _bench(ctx, db)
    loaded = bench.load_demo()
    for ev in loaded:
        _say(_words(ctx, "cli_loaded", id=ev.id))
    if not loaded:
        _say(_words(ctx, "cli_demo_there"))
    _say(_words(ctx, "database_at", path=bench.folder))
    if no_open or not _open_app(bench, _lang(lang, ctx), evaluator=_evaluator(ctx, None), ctx=ctx):
        _say(
            "next: kompass (the app) · kompass list · kompass show botkyrka-2003 · "
            "kompass export botkyrka-2003 --compare kalix-2003 nacka-2003 vasteras-2003 trollhattan-2003 --lang sv"
        )


@app.command()
def new(
    ctx: typer.Context,
    municipality: Annotated[
        str, typer.Argument(metavar="MUNICIPALITY", help="The municipality, e.g. Botkyrka.", show_default=False)
    ],
    year: Annotated[
        int, typer.Option("--year", "-y", metavar="YEAR", help="Year of the evaluation.", min=MIN_YEAR, max=MAX_YEAR)
    ],
    framework: Annotated[
        Optional[str],
        typer.Option(
            "--framework",
            "-f",
            metavar="ID",
            help="Framework id (see kompass criteria list; default: the one of the municipality's last "
            f"evaluation, else your settings' framework, else {DEFAULT_FRAMEWORK}).",
        ),
    ] = None,
    evaluator: Annotated[
        Optional[list[str]],
        typer.Option("--evaluator", "-e", metavar="NAME", help="An evaluator's name; repeat for each."),
    ] = None,
    start: Annotated[str, typer.Option(metavar="DATE", help="First day of the evaluation, YYYY-MM-DD.")] = "",
    end: Annotated[str, typer.Option(metavar="DATE", help="Last day, YYYY-MM-DD.")] = "",
    area_level: Annotated[
        bool, typer.Option("--area-level", metavar="", help="Only area scores (a published benchmark result).")
    ] = False,
    again: Annotated[
        bool, typer.Option("--again", help="A second evaluation of the same municipality and year.")
    ] = False,
    reference: Annotated[
        bool,
        typer.Option(
            "--reference",
            help="A reference: a national or group average (Sverigesnitt), not a municipality; with --area-level. "
            "Compared apart, never ranked; its scores may have two decimals (63,45).",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Create an evaluation; prints its id.

    Ids are the municipality in plain lower case and the year, such as botkyrka-2003.

    Example: kompass new Botkyrka --year 2026 -e "Lena Langlet" -e "Inga-Lill Elwin"

    A reference result: kompass new Sverigesnitt --year 2020 --framework ID --area-level --reference
    """
    from kompass_tui.core.model import AREAS, QUESTIONS
    from kompass_tui.service.preferences import default_framework

    bench = _bench(ctx, db)
    if framework is None:
        framework = bench.last_framework(municipality)
        if framework is not None:
            _warn(f"framework {framework}, as in {municipality}'s last evaluation (--framework chooses another)")
    ev = bench.create(
        municipality,
        year,
        framework or default_framework(),
        evaluator or (),
        AREAS if area_level else QUESTIONS,
        start,
        end,
        again,
        reference,
    )
    _say(ev.id)


@app.command("list")
def list_(ctx: typer.Context, db: DbOption = None, lang: LangOption = None) -> None:
    """List the evaluations with progress and total."""
    from kompass_tui.cli.views import evaluations_table, print_lines

    bench = _bench(ctx, db)
    rows = bench.rows()
    if not rows:
        _say(_words(ctx, "cli_no_evaluations", folder=bench.folder))
        return
    console = _console()
    print_lines(console, evaluations_table(rows, _lang(lang, ctx), console.width))  # lines whole, never wrapped
    unfit = [row.id for row in rows if row.unfit]
    if unfit:
        _warn(
            f"{', '.join(unfit[:5])}{' …' if len(unfit) > 5 else ''}: hold scores their framework does not allow; "
            "those are not counted (kompass show ID names them)"
        )


@app.command()
def show(
    ctx: typer.Context,
    id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id, e.g. botkyrka-2003.")],
    questions: Annotated[
        bool, typer.Option("--questions", "-q", metavar="", help="Also list every sub-question.")
    ] = False,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Show one evaluation: area subtotals, progress, total."""
    from kompass_tui.cli.views import evaluation_view, print_parts

    ev, fw = _bench(ctx, db).get_with_framework(id)
    console = _console()
    print_parts(console, evaluation_view(ev, fw, _lang(lang, ctx), questions))


@app.command()
def edit(
    ctx: typer.Context,
    id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
    municipality: Annotated[Optional[str], typer.Option(metavar="NAME", help="The municipality's name.")] = None,
    year: Annotated[
        Optional[int],
        typer.Option("--year", "-y", metavar="YEAR", help="Year of the evaluation.", min=MIN_YEAR, max=MAX_YEAR),
    ] = None,
    start: Annotated[Optional[str], typer.Option(metavar="DATE", help="First day, YYYY-MM-DD ('' clears it).")] = None,
    end: Annotated[Optional[str], typer.Option(metavar="DATE", help="Last day, YYYY-MM-DD ('' clears it).")] = None,
    framework: Annotated[
        Optional[str],
        typer.Option("--framework", "-f", metavar="ID", help="Another framework, if every score fits it."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Change an evaluation's municipality, year, dates or framework.

    The id stays what it was: ids are the handles used in files, comparisons and actions. The team
    is changed with kompass team.

    Example: kompass edit botkyrka-2026 --start 2026-05-04 --end 2026-05-06"""
    if all(v is None for v in (municipality, year, start, end, framework)):
        raise typer.BadParameter("give what to change: --municipality, --year, --start, --end or --framework")
    ev = _bench(ctx, db).edit(id, municipality, year, start, end, framework)
    from kompass_tui.core.sanitize import one_line

    _say(f"{ev.id}: {one_line(ev.title)}, {ev.framework}" + (f", {ev.dates}" if ev.dates else ""))
