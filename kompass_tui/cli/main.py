"""The `kompass` command: thin Typer shells over the core. Modules are imported inside the
commands that use them, so `kompass --help` and `kompass show` start fast."""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import click
import typer
from typer.core import TyperGroup

from kompass_tui.core.framework import DEFAULT_FRAMEWORK
from kompass_tui.core.model import MAX_YEAR, MIN_YEAR
from kompass_tui.errors import KompassError
from kompass_tui.exchange import formats


class KompassGroup(TyperGroup):
    """Turns a KompassError into one line on stderr and exit status 1: never a traceback."""

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except KompassError as exc:
            for line in str(exc).splitlines() or [type(exc).__name__]:
                _say(f"kompass: {line}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except Exception as exc:
            if os.environ.get("KOMPASS_DEBUG"):
                raise
            if isinstance(exc, OSError):
                where = f"{exc.filename}: " if exc.filename else ""
                _say(f"kompass: {where}{exc.strerror or exc}", err=True)
                raise typer.Exit(1) from None
            _say(f"kompass: internal error ({type(exc).__name__}: {exc}); "
                       "please report it; KOMPASS_DEBUG=1 shows the details", err=True)
            raise typer.Exit(70) from None


app = typer.Typer(
    cls=KompassGroup,
    name="kompass",
    help=(
        "Kompass: score Kommunkompassen evaluations at the terminal.\n\n"
        "Without a command: the app. Start with 'kompass demo' (the Botkyrka 2003 report and four "
        "other nominees), or try 'kompass list', 'kompass show botkyrka-2003' and "
        "'kompass export botkyrka-2003 --lang sv'. Every change is saved at once; there is no save "
        "command. 'kompass COMMAND --help' explains each command."
    ),
    no_args_is_help=False,
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
criteria_app = typer.Typer(cls=KompassGroup, help="Frameworks: list, show, check, add.", no_args_is_help=True)
app.add_typer(criteria_app, name="criteria")

FORMATS_HELP = "; ".join(f"{f.name}: {f.holds}" for f in formats.FORMATS.values()) + "."
DbOption = Annotated[
    Optional[Path],
    typer.Option("--db", help="Database folder (default: $KOMPASS_DB, else your user data folder; see kompass locate).",
                 show_default=False, metavar="PATH"),
]
LangOption = Annotated[Optional[str], typer.Option("--lang", help="sv or en (default: from your locale).", metavar="sv|en")]
AsOption = Annotated[Optional[str], typer.Option("--as", help="Who you are: your scores and notes are yours (default: $KOMPASS_AS, else your login name).",
                                                metavar="NAME", show_default=False)]


def _say(text: object = "", err: bool = False) -> None:
    """Every line the CLI prints: user text in it (names, notes, file names) can never write a
    control character or an escape sequence to the terminal (sanitize.visible)."""
    from kompass_tui.core.sanitize import visible

    typer.echo(visible(str(text)), err=err)


def _warn(message: str) -> None:
    _say(f"kompass: {message}", err=True)


def _bench(ctx: typer.Context | None, db: Optional[Path]):
    from kompass_tui.service import Workbench

    from kompass_tui.store import DEFAULT_WAIT

    if db is None and ctx is not None:
        db = _root_obj(ctx).get("db")
    wait = _root_obj(ctx).get("wait") if ctx is not None else None
    return Workbench(db, report=_warn, wait=DEFAULT_WAIT if wait is None else wait)


def _ids(values: list[str]) -> list[str]:
    """Evaluation ids given apart or joined by commas (`a b`, `a,b`)."""
    return [part for value in values for part in value.split(",") if part]


def _text_arg(text: str, what: str) -> str:
    """TEXT arguments: '-' reads the text from standard input (for long, multi-line notes). Kept as
    sanitize.clean_text leaves it; what it removed is said."""
    from kompass_tui.core.sanitize import clean_text

    kept, removed = clean_text(sys.stdin.read() if text == "-" else text, what)
    if removed:
        _warn(f"removed {removed} control character{'s' if removed != 1 else ''} from {what} "
              "(escape sequences and the like are never kept)")
    return kept


def _lang(lang: Optional[str], ctx: typer.Context | None = None) -> str:
    """--lang on the command, else --lang before it (`kompass --lang sv list`), else the locale."""
    from kompass_tui.i18n import resolve

    return resolve(lang or (_root_obj(ctx).get("lang") if ctx is not None else None))


def _console():
    from kompass_tui.cli.views import SafeConsole

    return SafeConsole(soft_wrap=False)


def _evaluator(ctx: typer.Context | None, name: Optional[str]) -> str:
    """--as on the command, else --as before it, else who the service says (service.evaluator)."""
    from kompass_tui.service import evaluator

    name, removed = evaluator(name or (_root_obj(ctx).get("as") if ctx is not None else None))
    if removed:
        _warn(f"removed {removed} control character{'s' if removed != 1 else ''} from --as: you are {name!r}")
    return name


def _root_obj(ctx: typer.Context) -> dict:
    return ctx.find_root().obj or {}


def _open_app(bench, lang: str, open_id: str | None = None, evaluator: str = "", ctx: typer.Context | None = None) -> bool:
    """Run the app if there is a terminal to run it in; False (and nothing done) if there is not."""
    from kompass_tui.paths import served

    if not served() and not (sys.stdin.isatty() and sys.stdout.isatty()):
        return False
    from kompass_tui.tui.app import run

    if ctx is None or _root_obj(ctx).get("wait") is None:
        bench.db.wait = None  # a save in the app waits for another session as long as it takes (and says so)
    code = run(bench, lang, open_id, evaluator)
    if code:
        raise typer.Exit(code)
    return True


@app.callback()
def root(ctx: typer.Context, db: DbOption = None, lang: LangOption = None, as_: AsOption = None,
         wait: Annotated[Optional[float], typer.Option("--wait", metavar="SECONDS", min=0, show_default=False,
                                                       help="How long a change waits for another Kompass session that holds the database, "
                                                            "before it gives up (default: 30; the app waits as long as it takes).")] = None,
         version: Annotated[bool, typer.Option("--version", metavar="", help="Print the version and exit.")] = False) -> None:
    """Without a command: open the app on the database."""
    if wait is not None and not math.isfinite(wait):
        raise typer.BadParameter("give a number of seconds, such as 60", param_hint="--wait")
    ctx.obj = {"db": db, "lang": lang, "as": as_, "wait": wait}
    if version:
        from kompass_tui import __version__

        _say(f"kompass {__version__}")
        raise typer.Exit()
    if ctx.invoked_subcommand is None and not _open_app(_bench(ctx, db), _lang(lang), evaluator=_evaluator(ctx, as_), ctx=ctx):
        _say(ctx.get_help())
        _say("\n(kompass opens the app when it runs in a terminal)")


@app.command("open")
def open_(ctx: typer.Context, id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id, e.g. botkyrka-2003.")],
          db: DbOption = None, lang: LangOption = None) -> None:
    """Open the app at one evaluation.

    The walk-through starts at the first unscored sub-question; a fully scored evaluation opens in
    its overview."""
    bench = _bench(ctx, db)
    bench.get(id)  # an unknown id is refused here, with the usual one-line message
    if not _open_app(bench, _lang(lang, ctx), id, _evaluator(ctx, None), ctx):
        raise KompassError("kompass open needs a terminal; use `kompass show` to print an evaluation")


@app.command()
def demo(ctx: typer.Context, db: DbOption = None,
         no_open: Annotated[bool, typer.Option("--no-open", metavar="", help="Only load the data; do not open the app.")] = False,
         lang: LangOption = None) -> None:
    """Load the demo data and open the app.

    The demo is the seed report: Botkyrka 2003 scored per sub-question, and Kalix, Nacka, Västerås
    and Trollhättan 2003 as published area scores. Evaluations already there are kept as they are."""
    bench = _bench(ctx, db)
    loaded = bench.load_demo()
    for ev in loaded:
        _say(f"loaded {ev.id}")
    if not loaded:
        _say("the demo evaluations are already loaded")
    _say(f"database: {bench.folder}")
    if no_open or not _open_app(bench, _lang(lang, ctx), evaluator=_evaluator(ctx, None), ctx=ctx):
        _say("next: kompass (the app) · kompass list · kompass show botkyrka-2003 · "
                   "kompass export botkyrka-2003 --compare kalix-2003 nacka-2003 vasteras-2003 trollhattan-2003 --lang sv")


@app.command()
def new(ctx: typer.Context,
        municipality: Annotated[str, typer.Argument(metavar="MUNICIPALITY", help="The municipality, e.g. Botkyrka.", show_default=False)],
        year: Annotated[int, typer.Option("--year", "-y", metavar="YEAR", help="Year of the evaluation.", min=MIN_YEAR, max=MAX_YEAR)],
        framework: Annotated[str, typer.Option("--framework", "-f", metavar="ID", help="Framework id (see kompass criteria list).")] = DEFAULT_FRAMEWORK,
        evaluator: Annotated[Optional[list[str]], typer.Option("--evaluator", "-e", metavar="NAME", help="An evaluator's name; repeat for each.")] = None,
        start: Annotated[str, typer.Option(metavar="DATE", help="First day of the evaluation, YYYY-MM-DD.")] = "",
        end: Annotated[str, typer.Option(metavar="DATE", help="Last day, YYYY-MM-DD.")] = "",
        area_level: Annotated[bool, typer.Option("--area-level", metavar="", help="Only area scores (a published benchmark result).")] = False,
        db: DbOption = None) -> None:
    """Create an evaluation; prints its id.

    Ids are the municipality in plain lower case and the year, such as botkyrka-2003.

    Example: kompass new Botkyrka --year 2026 -e "Lena Langlet" -e "Inga-Lill Elwin"
    """
    from kompass_tui.core.model import AREAS, QUESTIONS

    ev = _bench(ctx, db).create(municipality, year, framework, evaluator or (), AREAS if area_level else QUESTIONS, start, end)
    _say(ev.id)


@app.command("list")
def list_(ctx: typer.Context, db: DbOption = None, lang: LangOption = None) -> None:
    """List the evaluations with progress and total."""
    from kompass_tui.cli.views import evaluations_table

    bench = _bench(ctx, db)
    rows = bench.rows()
    if not rows:
        _say(f"no evaluations in {bench.folder} yet; try `kompass demo` or `kompass new NAME --year YEAR`")
        return
    _console().print(evaluations_table(rows, _lang(lang, ctx)), soft_wrap=True)  # lines whole, never wrapped
    unfit = [row.id for row in rows if row.unfit]
    if unfit:
        _warn(f"{', '.join(unfit[:5])}{' …' if len(unfit) > 5 else ''}: hold scores their framework does not allow; "
              "those are not counted (kompass show ID names them)")


@app.command()
def show(ctx: typer.Context, id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id, e.g. botkyrka-2003.")],
         questions: Annotated[bool, typer.Option("--questions", "-q", metavar="", help="Also list every sub-question.")] = False,
         db: DbOption = None, lang: LangOption = None) -> None:
    """Show one evaluation: area subtotals, progress, total."""
    from kompass_tui.cli.views import evaluation_view

    ev, fw = _bench(ctx, db).get_with_framework(id)
    console = _console()
    for part in evaluation_view(ev, fw, _lang(lang, ctx), questions):
        console.print(part)


# `kompass score ID 2.1 -1` must reach the range check, not fail as an unknown option `-1`.
NEGATIVE_NUMBERS_ARE_VALUES = {"ignore_unknown_options": True}
# Texts such as "- a list item" are values too; these commands have no short options (not even -h)
# so no letter of the text can be taken for one.
TEXTS_MAY_START_WITH_DASH = {"ignore_unknown_options": True, "help_option_names": ["--help"]}


@app.command(context_settings=NEGATIVE_NUMBERS_ARE_VALUES)
def score(ctx: typer.Context,
          id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
          question: Annotated[str, typer.Argument(metavar="QUESTION", help="Sub-question id such as 2.4 (an area id for area-level evaluations).")],
          value: Annotated[str, typer.Argument(metavar="VALUE", help="Points in half steps: 9,5 or 9.5; 'none' removes your score.")],
          note: Annotated[Optional[str], typer.Option("--note", "-n", metavar="TEXT", help="Evidence note ('-' reads standard input).")] = None,
          source: Annotated[Optional[list[str]], typer.Option("--source", "-s", metavar="SOURCE", help="interview, document or website; repeat for more.")] = None,
          as_: AsOption = None, db: DbOption = None) -> None:
    """Score a sub-question, with its evidence if given.

    The score, note and sources are yours (--as); the score that counts is the team's consensus
    (kompass consensus), or yours and the others' where you all agree. Scores are half points from
    0 to the sub-question's maximum; 9,5 and 9.5 both work.

    Example: kompass score botkyrka-2003 2.4 18 --note "Brukarenkät varje år" -s document -s interview"""
    from kompass_tui.core import scoring
    from kompass_tui.core.points import fmt, parse_entry

    by, points = _evaluator(ctx, as_), parse_entry(value)
    text = _text_arg(note, "the note") if note is not None else None  # read before the edit takes the lock
    ev = _bench(ctx, db).score(id, question, points, by, text, source or None)
    _say(f"{id} {question} = {fmt(scoring.own(ev, question, by), empty='none')}" + ("" if ev.area_level else f" ({by})"))


@app.command(context_settings=NEGATIVE_NUMBERS_ARE_VALUES)
def consensus(ctx: typer.Context,
              id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
              question: Annotated[str, typer.Argument(metavar="QUESTION", help="Sub-question id such as 2.4.")],
              value: Annotated[str, typer.Argument(metavar="VALUE", help="The agreed points (9,5 or 9.5), or 'none' to clear.")],
              as_: AsOption = None, db: DbOption = None) -> None:
    """Set the consensus score of a sub-question.

    The consensus is what totals, charts and reports use; it is set by the lead evaluator, whose
    name (--as) is kept with it. See kompass disagreements for where the evaluators differ."""
    from kompass_tui.core.points import fmt, parse_entry

    points = parse_entry(value)
    ev = _bench(ctx, db).consensus(id, question, points, _evaluator(ctx, as_))
    _say(f"{id} {question}: consensus {fmt(ev.answer(question).score) if points is not None else 'cleared'}")


@app.command()
def disagreements(ctx: typer.Context, id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
                  db: DbOption = None, lang: LangOption = None) -> None:
    """List where the evaluators' scores differ, largest spread first.

    For the consensus meeting: each evaluator's score and note side by side, and the consensus
    where it is set (kompass consensus ID QUESTION VALUE sets it; so does d in the app)."""
    from kompass_tui.cli.views import disagreements_view

    ev, fw, found = _bench(ctx, db).disagreements(id)
    if not found:
        _say(f"{id}: no disagreements")
        return
    console = _console()
    for part in disagreements_view(ev, fw, found, _lang(lang, ctx)):
        console.print(part)


@app.command()
def merge(ctx: typer.Context,
          file: Annotated[Path, typer.Argument(metavar="FILE", help="An evaluation exported with kompass export ID --format json.")],
          db: DbOption = None) -> None:
    """Merge another copy of an evaluation (from another laptop) into this database.

    Each evaluator's scores and notes are kept from whichever copy has them; where one evaluator
    edited the same sub-question in both, the newer is kept and this says so. Differing shared
    texts are both kept. The version before the merge is kept too (kompass restore)."""
    result = _bench(ctx, db).merge(file)
    for line in result.messages:
        _say(line)
    _say(f"merged {file} into {result.evaluation.id}")


def _area_text_command(kind: str, doc: str):
    def command(ctx: typer.Context,
                id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
                area: Annotated[str, typer.Argument(metavar="AREA", help="Area id, 1 to 8 in Kommunkompassen.")],
                text: Annotated[str, typer.Argument(metavar="TEXT", help="The text; '-' reads standard input; lines starting with '- ' become a list.")],
                db: DbOption = None) -> None:
        _bench(ctx, db).area_text(id, area, kind, _text_arg(text, f"the {kind}"))
        _say(f"{id} area {area}: {kind} saved")

    command.__doc__ = doc
    return command


def _eval_text_command(kind: str, doc: str):
    def command(ctx: typer.Context,
                id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
                text: Annotated[str, typer.Argument(metavar="TEXT", help="The text; '-' reads standard input; lines starting with '- ' become a list.")],
                db: DbOption = None) -> None:
        _bench(ctx, db).text(id, kind, _text_arg(text, f"the {kind}"))
        _say(f"{id}: {kind} saved")

    command.__doc__ = doc
    return command


app.command("strengths", context_settings=TEXTS_MAY_START_WITH_DASH)(_area_text_command("strengths", "Set an area's strengths (replaces the text)."))
app.command("improvements", context_settings=TEXTS_MAY_START_WITH_DASH)(_area_text_command("improvements", "Set an area's improvement areas, utvecklingsområden (replaces the text)."))
app.command("summary", context_settings=TEXTS_MAY_START_WITH_DASH)(_eval_text_command("summary", "Set the evaluation's summary (replaces the text)."))
app.command("challenges", context_settings=TEXTS_MAY_START_WITH_DASH)(_eval_text_command("challenges", "Set the closing challenges, the report's Slutord (replaces the text)."))


@app.command("import")
def import_(ctx: typer.Context,
            file: Annotated[Path, typer.Argument(metavar="FILE", help="A .json evaluation, or a .csv of area or sub-question scores.")],
            into: Annotated[Optional[str], typer.Option("--into", metavar="ID", help="Evaluation id that a CSV of sub-question scores belongs to.")] = None,
            framework: Annotated[str, typer.Option("--framework", "-f", metavar="ID", help="Framework of a CSV of area scores.")] = DEFAULT_FRAMEWORK,
            encoding: Annotated[Optional[str], typer.Option("--encoding", metavar="NAME", help="The file's encoding, e.g. cp1252 (default: UTF-8, else Windows-1252 as Excel writes it).", show_default=False)] = None,
            db: DbOption = None) -> None:
    """Import evaluations from JSON or CSV.

    CSV may use ; or , and decimal comma, as Swedish Excel saves it (UTF-8, or Windows-1252 as in
    Excel's "CSV (semikolonavgränsad)"). Two shapes:

    Area scores, one new area-level evaluation per row: municipality;year;1;2;3;4;5;6;7;8

    Sub-question scores, into an evaluation (--into ID): question;score;note;sources

    Nothing is written unless the whole file is valid."""
    for ev in _bench(ctx, db).import_file(file, into, framework, encoding=encoding):
        _say(f"imported {ev.id}")


@app.command(context_settings={"allow_extra_args": True})
def export(ctx: typer.Context,
           id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
           format: Annotated[str, typer.Option("--format", "-F", help=FORMATS_HELP, metavar=formats.NAMES)] = formats.DEFAULT.name,
           compare: Annotated[Optional[list[str]], typer.Option("--compare", "-c", help="Evaluation ids to compare with (several may follow one --compare).", metavar="ID ...")] = None,
           lang: LangOption = None,
           output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE", help="Write to this file instead of standard output.")] = None,
           charts: Annotated[bool, typer.Option("--charts/--no-charts", help="Text charts in the Markdown report.")] = True,
           db: DbOption = None) -> None:
    """Export the report (Markdown), CSV or JSON.

    The report has the area table and profile chart, every sub-question, the texts, the change since
    the municipality's previous evaluation (if any) and, with --compare, the comparison table with
    the average and ranks, and its chart."""
    extra = list(ctx.args)
    if extra and not compare:
        raise typer.BadParameter(f"unexpected {' '.join(extra)!r}; did you mean --compare {' '.join(extra)}?")
    others = _ids((compare or []) + extra)
    bench = _bench(ctx, db)
    if output is None:
        from kompass_tui.core.sanitize import visible

        sys.stdout.write(visible(bench.export(id, format, _lang(lang, ctx), others, charts)))
        return
    written, replaced = bench.write_export(id, output, format, _lang(lang, ctx), others, charts)
    _say(f"wrote {written}" + (" (it replaced the file that was there)" if replaced else ""))


def _width() -> int:
    import shutil

    return max(60, min(100, shutil.get_terminal_size((80, 24)).columns - 1))


@app.command()
def compare(ctx: typer.Context,
            ids: Annotated[list[str], typer.Argument(metavar="ID ...", help="Two or more evaluation ids of one framework.")],
            chart: Annotated[bool, typer.Option("--chart", metavar="", help="Also draw the grouped bar chart.")] = False,
            db: DbOption = None, lang: LangOption = None) -> None:
    """Compare evaluations side by side.

    Areas × municipalities, the best of each row, the average, totals and ranks, and each one's
    change since its municipality's previous evaluation.

    Example: kompass compare botkyrka-2003 kalix-2003 nacka-2003 vasteras-2003 trollhattan-2003 --chart"""
    bench, language = _bench(ctx, db), _lang(lang, ctx)
    table = bench.comparison(_ids(ids))
    from kompass_tui.cli.views import comparison_view

    console = _console()
    for part in comparison_view(table, language, console.width):
        console.print(part)
    if chart:
        from kompass_tui.exchange.report import grouped_chart

        console.print()
        console.print(grouped_chart(table, language, _width()), markup=False, highlight=False)


@app.command()
def chart(ctx: typer.Context, id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
          db: DbOption = None, lang: LangOption = None) -> None:
    """Draw the profile (and trend) of an evaluation.

    The area scores as bars and, if the municipality has been evaluated before, the trend of its
    total across the rounds."""
    from kompass_tui.exchange.report import profile_chart, trend_chart

    bench, language = _bench(ctx, db), _lang(lang, ctx)
    ev, fw = bench.get_with_framework(id)
    _say(profile_chart(ev, fw, language, _width()))
    rounds = bench.related(ev)
    if len(rounds) > 1:
        _say()
        _say(trend_chart(rounds, fw, language, _width()))


@app.command()
def delete(ctx: typer.Context, id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
           yes: Annotated[bool, typer.Option("--yes", "-y", metavar="", help="Do not ask for confirmation.")] = False,
           db: DbOption = None) -> None:
    """Delete an evaluation (asks first)."""
    bench = _bench(ctx, db)
    ev = bench.get(id)
    from kompass_tui.core.sanitize import one_line

    if not yes and not typer.confirm(f"Delete {ev.id} ({one_line(ev.title)})?", default=False):
        raise typer.Exit(1)
    bench.delete(id)
    _say(f"deleted {id}")


@app.command()
def restore(ctx: typer.Context,
            id: Annotated[Optional[str], typer.Argument(metavar="ID", help="Evaluation id (also of a deleted one).")] = None,
            version: Annotated[int, typer.Option("--version", "-v", metavar="N", help="Which kept version: 1 is the newest.", min=1)] = 1,
            list_: Annotated[bool, typer.Option("--list", "-l", metavar="", help="List the kept versions instead.")] = False,
            db: DbOption = None) -> None:
    """Undo a delete or an edit.

    Makes a kept earlier version of an evaluation current again.

    Kompass keeps the previous version of an evaluation each time it changes or is deleted (the
    newest 10). Without ID, lists the evaluations that have kept versions. Restoring is itself kept,
    so it can be undone the same way."""
    bench = _bench(ctx, db)
    if id is None:
        current = bench.db.ids()
        for eid in bench.backed_up():
            _say(f"{eid}{'' if eid in current else '  (deleted)'}")
        return
    if list_:
        from kompass_tui.core.points import fmt

        for number, when, ev in bench.versions(id):
            try:
                fw = bench.framework(ev.framework)
                from kompass_tui.core import scoring

                figures = f"{fmt(scoring.total(ev, fw))} points, {scoring.progress(ev, fw)} scored"
            except KompassError:
                figures = ev.framework
            _say(f"{number:>3}  {when.astimezone():%Y-%m-%d %H:%M:%S}  {figures}")
        return
    ev = bench.restore(id, version)
    _say(f"restored {ev.id} (version {version})")


@app.command()
def serve(ctx: typer.Context,
          host: Annotated[str, typer.Option("--host", metavar="ADDRESS", help="Address to listen on. The default, loopback, is reachable from this machine only; any other address needs --allow-remote.")] = "127.0.0.1",
          port: Annotated[int, typer.Option("--port", "-p", metavar="PORT", help="Port to listen on (with --socket: the local port of the SSH tunnel it suggests).", min=1, max=65535)] = 8000,
          socket_path: Annotated[Optional[Path], typer.Option("--socket", metavar="PATH", help="Listen on this Unix socket instead of a port, in a folder only you can enter (created 0700 if missing). Reach it with ssh -L 8000:PATH you@server.", show_default=False)] = None,
          allow_remote: Annotated[bool, typer.Option("--allow-remote", help="Allow a --host other machines can reach: anyone who can reach it and has the URL can use the app, and nothing is encrypted.")] = False,
          db: DbOption = None, lang: LangOption = None, as_: AsOption = None) -> None:
    """Run the app in a browser (textual-serve), for colleagues who do not use a terminal.

    Each browser tab runs its own session of the app on this database; every change is saved as in
    the terminal. Each run makes a secret token and a secret path and prints the URL that carries
    them: the server refuses every request without the token. It listens on 127.0.0.1 by default.
    From another machine, tunnel over SSH (there is no encryption otherwise) and open the printed
    http://localhost:8000/k-.../?token=... URL:

    \b
    ssh -L 8000:127.0.0.1:8000 you@this-server

    Or listen on a Unix socket in a folder of yours, which other users cannot even reach:

    \b
    kompass serve --socket ~/.kompass-serve/kompass.sock
    ssh -L 8000:/home/you/.kompass-serve/kompass.sock you@this-server"""
    import shlex

    from kompass_tui.tui.serve import OwnerServer, ServeError, check_host, prepare_socket

    if socket_path is not None and (allow_remote or ctx.get_parameter_source("host") is click.core.ParameterSource.COMMANDLINE):
        raise ServeError("--socket listens on a Unix socket only: leave out --host and --allow-remote")
    warning = None if socket_path is not None else check_host(host, allow_remote)
    bench = _bench(ctx, db)
    bench.db.exists()  # a wrong --db is refused here, not in every browser tab
    wait = _root_obj(ctx).get("wait")
    command = shlex.join([sys.executable, "-m", "kompass_tui", "--db", str(bench.folder),
                          "--lang", _lang(lang, ctx), "--as", _evaluator(ctx, as_),
                          *(["--wait", str(wait)] if wait is not None else [])])
    if socket_path is not None:
        socket_path = prepare_socket(socket_path)
    if warning:
        _say(warning, err=True)
    server = OwnerServer(command, host=host, port=port, socket_path=socket_path, title="Kompass")
    server.serve(on_listening=lambda: [_say(line) for line in server.connect_lines()])


@app.command()
def locate(ctx: typer.Context, db: DbOption = None) -> None:
    """Print where the data and the frameworks are."""
    from kompass_tui import paths

    bench = _bench(ctx, db)
    for label, path in (("database", bench.folder), ("kept versions", bench.db.backups),
                        ("your frameworks", paths.user_criteria_dir()),
                        ("built-in frameworks", paths.bundled_criteria_dir())):
        _say(f"{label + ':':<21} {path}")


@criteria_app.command("list")
def criteria_list(ctx: typer.Context, lang: LangOption = None, db: DbOption = None) -> None:
    """List installed frameworks."""
    from kompass_tui.store import criteria
    from kompass_tui.cli.views import frameworks_table

    problems: list[str] = []
    frameworks = criteria.installed(problems)
    _console().print(frameworks_table(frameworks, _lang(lang, ctx)))
    for line in problems:
        _say(f"kompass: skipped {line}", err=True)


@criteria_app.command("show")
def criteria_show(ctx: typer.Context, framework_id: Annotated[str, typer.Argument(metavar="ID", help="Framework id.")], lang: LangOption = None,
                  db: DbOption = None) -> None:
    """Show a framework's areas and sub-questions with their maxima."""
    from kompass_tui.store import criteria
    from kompass_tui.cli.views import framework_view

    console = _console()
    for part in framework_view(criteria.get(framework_id), _lang(lang, ctx)):
        console.print(part)


@criteria_app.command("check")
def criteria_check(file: Annotated[Path, typer.Argument(metavar="FILE", help="A framework file (.toml).")], db: DbOption = None) -> None:
    """Check a framework file; installs nothing."""
    from kompass_tui.store import criteria

    fw = criteria.load(file)
    _say(f"{file}: ok: {fw.id}, {len(fw.areas)} areas, {len(fw.questions)} sub-questions, {fw.maximum} points")


@criteria_app.command("add")
def criteria_add(ctx: typer.Context, file: Annotated[Path, typer.Argument(metavar="FILE", help="A framework file (.toml).")],
                 replace: Annotated[bool, typer.Option("--replace", metavar="", help="Use this file instead of an installed framework with the same id.")] = False,
                 force: Annotated[bool, typer.Option("--force", metavar="", help="Install it even if scores stored in the database would not fit it (they are then flagged and not counted).")] = False,
                 db: DbOption = None) -> None:
    """Check a framework file and install it.

    It goes into your frameworks folder (see kompass locate), after which every command can use it
    by its id. If scores stored in the database would not fit it (a maximum lowered, a sub-question
    gone), it lists them and installs nothing, unless --force."""
    fw = _bench(ctx, db).add_framework(file, replace, force)
    _say(f"installed {fw.id} as {fw.path}")


class _VisibleStream:
    """Standard error with sanitize.visible on every write: also Click's own messages (an unknown
    option, a bad value) repeat what was typed, and must not write control characters either.
    (The app draws on sys.__stderr__ and is not affected.)"""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        from kompass_tui.core.sanitize import visible

        return self._stream.write(visible(text) if isinstance(text, str) else text)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def main() -> None:
    if not isinstance(sys.stderr, _VisibleStream) and sys.stderr is not None:
        sys.stderr = _VisibleStream(sys.stderr)
    app()
