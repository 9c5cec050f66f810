"""The `kompass` command: thin Typer shells over the core. Modules are imported inside the
commands that use them, so `kompass --help` and `kompass show` start fast."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import click
import typer
from typer.core import TyperGroup

from kompass_tui.errors import KompassError


class KompassGroup(TyperGroup):
    """Turns a KompassError into one line on stderr and exit status 1: never a traceback."""

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except KompassError as exc:
            for line in str(exc).splitlines() or [type(exc).__name__]:
                typer.echo(f"kompass: {line}", err=True)
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
                typer.echo(f"kompass: {where}{exc.strerror or exc}", err=True)
                raise typer.Exit(1) from None
            typer.echo(f"kompass: internal error ({type(exc).__name__}: {exc}); "
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

DbOption = Annotated[
    Optional[Path],
    typer.Option("--db", help="Database folder (default: $KOMPASS_DB, else your user data folder; see kompass locate).",
                 show_default=False, metavar="PATH"),
]
LangOption = Annotated[Optional[str], typer.Option("--lang", help="sv or en (default: from your locale).", metavar="sv|en")]
AsOption = Annotated[Optional[str], typer.Option("--as", help="Who you are: your scores and notes are yours (default: $KOMPASS_AS, else your login name).",
                                                metavar="NAME", show_default=False)]


def _bench(ctx: typer.Context | None, db: Optional[Path]):
    from kompass_tui.service import Workbench

    if db is None and ctx is not None:
        db = _root_obj(ctx).get("db")
    return Workbench(db)


def _ids(values: list[str]) -> list[str]:
    """Evaluation ids given apart or joined by commas (`a b`, `a,b`)."""
    return [part for value in values for part in value.split(",") if part]


def _text_arg(text: str) -> str:
    """TEXT arguments: '-' reads the text from standard input (for long, multi-line notes)."""
    return sys.stdin.read() if text == "-" else text


def _lang(lang: Optional[str], ctx: typer.Context | None = None) -> str:
    """--lang on the command, else --lang before it (`kompass --lang sv list`), else the locale."""
    from kompass_tui.i18n import resolve

    return resolve(lang or (_root_obj(ctx).get("lang") if ctx is not None else None))


def _console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def _evaluator(ctx: typer.Context | None, name: Optional[str]) -> str:
    """--as on the command, else --as before it, else $KOMPASS_AS, else the login name."""
    name = name or (_root_obj(ctx).get("as") if ctx is not None else None) or os.environ.get("KOMPASS_AS")
    if not name:
        import getpass

        try:
            name = getpass.getuser()
        except Exception:  # no login name (some containers): a name is still needed
            name = "evaluator"
    name = " ".join(name.split())
    if not name:
        raise KompassError("--as needs a name")
    return name


def _root_obj(ctx: typer.Context) -> dict:
    return ctx.find_root().obj or {}


def _open_app(bench, lang: str, open_id: str | None = None, evaluator: str = "") -> bool:
    """Run the app if there is a terminal to run it in; False (and nothing done) if there is not."""
    served = "TEXTUAL_DRIVER" in os.environ  # run by `kompass serve` (textual-serve) for a browser
    if not served and not (sys.stdin.isatty() and sys.stdout.isatty()):
        return False
    from kompass_tui.app import run

    run(bench, lang, open_id, evaluator)
    return True


@app.callback()
def root(ctx: typer.Context, db: DbOption = None, lang: LangOption = None, as_: AsOption = None,
         version: Annotated[bool, typer.Option("--version", metavar="", help="Print the version and exit.")] = False) -> None:
    """Without a command: open the app on the database."""
    ctx.obj = {"db": db, "lang": lang, "as": as_}
    if version:
        from kompass_tui import __version__

        typer.echo(f"kompass {__version__}")
        raise typer.Exit()
    if ctx.invoked_subcommand is None and not _open_app(_bench(ctx, db), _lang(lang), evaluator=_evaluator(ctx, as_)):
        typer.echo(ctx.get_help())
        typer.echo("\n(kompass opens the app when it runs in a terminal)")


@app.command("open")
def open_(ctx: typer.Context, id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id, e.g. botkyrka-2003.")],
          db: DbOption = None, lang: LangOption = None) -> None:
    """Open the app at one evaluation.

    The walk-through starts at the first unscored sub-question; a fully scored evaluation opens in
    its overview."""
    bench = _bench(ctx, db)
    bench.get(id)  # an unknown id is refused here, with the usual one-line message
    if not _open_app(bench, _lang(lang, ctx), id, _evaluator(ctx, None)):
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
        typer.echo(f"loaded {ev.id}")
    if not loaded:
        typer.echo("the demo evaluations are already loaded")
    typer.echo(f"database: {bench.folder}")
    if no_open or not _open_app(bench, _lang(lang, ctx), evaluator=_evaluator(ctx, None)):
        typer.echo("next: kompass (the app) · kompass list · kompass show botkyrka-2003 · "
                   "kompass export botkyrka-2003 --compare kalix-2003 nacka-2003 vasteras-2003 trollhattan-2003 --lang sv")


@app.command()
def new(ctx: typer.Context,
        municipality: Annotated[str, typer.Argument(metavar="MUNICIPALITY", help="The municipality, e.g. Botkyrka.", show_default=False)],
        year: Annotated[int, typer.Option("--year", "-y", metavar="YEAR", help="Year of the evaluation.", min=1900, max=2200)],
        framework: Annotated[str, typer.Option("--framework", "-f", metavar="ID", help="Framework id (see kompass criteria list).")] = "kommunkompassen-2003",
        evaluator: Annotated[Optional[list[str]], typer.Option("--evaluator", "-e", metavar="NAME", help="An evaluator's name; repeat for each.")] = None,
        start: Annotated[str, typer.Option(metavar="DATE", help="First day of the evaluation, YYYY-MM-DD.")] = "",
        end: Annotated[str, typer.Option(metavar="DATE", help="Last day, YYYY-MM-DD.")] = "",
        area_level: Annotated[bool, typer.Option("--area-level", metavar="", help="Only area scores (a published benchmark result).")] = False,
        db: DbOption = None) -> None:
    """Create an evaluation; prints its id.

    Ids are the municipality in plain lower case and the year, such as botkyrka-2003.

    Example: kompass new Botkyrka --year 2026 -e "Lena Langlet" -e "Inga-Lill Elwin"
    """
    from kompass_tui.model import AREAS, QUESTIONS

    ev = _bench(ctx, db).create(municipality, year, framework, evaluator or (), AREAS if area_level else QUESTIONS, start, end)
    typer.echo(ev.id)


@app.command("list")
def list_(ctx: typer.Context, db: DbOption = None, lang: LangOption = None) -> None:
    """List the evaluations with progress and total."""
    from kompass_tui.cli_views import evaluations_table

    bench = _bench(ctx, db)
    rows = bench.rows()
    if not rows:
        typer.echo(f"no evaluations in {bench.folder} yet; try `kompass demo` or `kompass new NAME --year YEAR`")
        return
    _console().print(evaluations_table(rows, _lang(lang, ctx)))


@app.command()
def show(ctx: typer.Context, id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id, e.g. botkyrka-2003.")],
         questions: Annotated[bool, typer.Option("--questions", "-q", metavar="", help="Also list every sub-question.")] = False,
         db: DbOption = None, lang: LangOption = None) -> None:
    """Show one evaluation: area subtotals, progress, total."""
    from kompass_tui.cli_views import evaluation_view

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
    from kompass_tui import edits, model, scoring
    from kompass_tui.points import fmt

    by, at = _evaluator(ctx, as_), model.now()
    wanted = None if scoring.clears(value) else value
    text = _text_arg(note) if note is not None else None  # read before the edit takes the lock

    def change(ev, fw):
        ev = edits.set_score(ev, fw, question, wanted, by, at)  # area-level: by plays no part
        if text is not None or source:
            ev = edits.set_note(ev, fw, question, text, source or None, by, at)
        return ev

    ev = _bench(ctx, db).edit(id, change)
    stored = ev.area(question).score if ev.area_level else ev.answer(question).entry(by).score
    typer.echo(f"{id} {question} = {fmt(stored, empty='none')}" + ("" if ev.area_level else f" ({by})"))


@app.command(context_settings=NEGATIVE_NUMBERS_ARE_VALUES)
def consensus(ctx: typer.Context,
              id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
              question: Annotated[str, typer.Argument(metavar="QUESTION", help="Sub-question id such as 2.4.")],
              value: Annotated[str, typer.Argument(metavar="VALUE", help="The agreed points (9,5 or 9.5), or 'none' to clear.")],
              as_: AsOption = None, db: DbOption = None) -> None:
    """Set the consensus score of a sub-question.

    The consensus is what totals, charts and reports use; it is set by the lead evaluator, whose
    name (--as) is kept with it. See kompass disagreements for where the evaluators differ."""
    from kompass_tui import scoring
    from kompass_tui.points import fmt

    clear = scoring.clears(value) or not value.strip()
    ev = _bench(ctx, db).consensus(id, question, None if clear else value, _evaluator(ctx, as_))
    typer.echo(f"{id} {question}: consensus {fmt(ev.answer(question).score) if not clear else 'cleared'}")


@app.command()
def disagreements(ctx: typer.Context, id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
                  db: DbOption = None, lang: LangOption = None) -> None:
    """List where the evaluators' scores differ, largest spread first.

    For the consensus meeting: each evaluator's score and note side by side, and the consensus
    where it is set (kompass consensus ID QUESTION VALUE sets it; so does d in the app)."""
    from kompass_tui.cli_views import disagreements_view

    ev, fw, found = _bench(ctx, db).disagreements(id)
    if not found:
        typer.echo(f"{id}: no disagreements")
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
        typer.echo(line)
    typer.echo(f"merged {file} into {result.evaluation.id}")


def _area_text_command(kind: str, doc: str):
    def command(ctx: typer.Context,
                id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
                area: Annotated[str, typer.Argument(metavar="AREA", help="Area id, 1 to 8 in Kommunkompassen.")],
                text: Annotated[str, typer.Argument(metavar="TEXT", help="The text; '-' reads standard input; lines starting with '- ' become a list.")],
                db: DbOption = None) -> None:
        _bench(ctx, db).area_text(id, area, kind, _text_arg(text))
        typer.echo(f"{id} area {area}: {kind} saved")

    command.__doc__ = doc
    return command


def _eval_text_command(kind: str, doc: str):
    def command(ctx: typer.Context,
                id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
                text: Annotated[str, typer.Argument(metavar="TEXT", help="The text; '-' reads standard input; lines starting with '- ' become a list.")],
                db: DbOption = None) -> None:
        _bench(ctx, db).text(id, kind, _text_arg(text))
        typer.echo(f"{id}: {kind} saved")

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
            framework: Annotated[str, typer.Option("--framework", "-f", metavar="ID", help="Framework of a CSV of area scores.")] = "kommunkompassen-2003",
            db: DbOption = None) -> None:
    """Import evaluations from JSON or CSV.

    CSV may use ; or , and decimal comma, as Swedish Excel saves it. Two shapes:

    Area scores, one new area-level evaluation per row: municipality;year;1;2;3;4;5;6;7;8

    Sub-question scores, into an evaluation (--into ID): question;score;note;sources

    Nothing is written unless the whole file is valid."""
    for ev in _bench(ctx, db).import_file(file, into, framework):
        typer.echo(f"imported {ev.id}")


@app.command(context_settings={"allow_extra_args": True})
def export(ctx: typer.Context,
           id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
           format: Annotated[str, typer.Option("--format", "-F", help="md (report), csv or json.", metavar="md|csv|json")] = "md",
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
        sys.stdout.write(bench.export(id, format, _lang(lang, ctx), others, charts))
        return
    output = bench.write_export(id, output, format, _lang(lang, ctx), others, charts)
    typer.echo(f"wrote {output}")


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
    from kompass_tui.cli_views import comparison_view

    console = _console()
    for part in comparison_view(table, language, console.width):
        console.print(part)
    if chart:
        from kompass_tui.report import grouped_chart

        console.print()
        console.print(grouped_chart(table, language, _width()), markup=False, highlight=False)


@app.command()
def chart(ctx: typer.Context, id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
          db: DbOption = None, lang: LangOption = None) -> None:
    """Draw the profile (and trend) of an evaluation.

    The area scores as bars and, if the municipality has been evaluated before, the trend of its
    total across the rounds."""
    from kompass_tui.report import profile_chart, trend_chart

    bench, language = _bench(ctx, db), _lang(lang, ctx)
    ev, fw = bench.get_with_framework(id)
    typer.echo(profile_chart(ev, fw, language, _width()))
    rounds = bench.related(ev)
    if len(rounds) > 1:
        typer.echo()
        typer.echo(trend_chart(rounds, fw, language, _width()))


@app.command()
def delete(ctx: typer.Context, id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
           yes: Annotated[bool, typer.Option("--yes", "-y", metavar="", help="Do not ask for confirmation.")] = False,
           db: DbOption = None) -> None:
    """Delete an evaluation (asks first)."""
    bench = _bench(ctx, db)
    ev = bench.get(id)
    if not yes and not typer.confirm(f"Delete {ev.id} ({ev.title})?", default=False):
        raise typer.Exit(1)
    bench.delete(id)
    typer.echo(f"deleted {id}")


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
            typer.echo(f"{eid}{'' if eid in current else '  (deleted)'}")
        return
    if list_:
        from kompass_tui.points import fmt

        for number, when, ev in bench.versions(id):
            try:
                fw = bench.framework(ev.framework)
                from kompass_tui import scoring

                figures = f"{fmt(scoring.total(ev, fw))} points, {scoring.progress(ev, fw)} scored"
            except KompassError:
                figures = ev.framework
            typer.echo(f"{number:>3}  {when.astimezone():%Y-%m-%d %H:%M:%S}  {figures}")
        return
    ev = bench.restore(id, version)
    typer.echo(f"restored {ev.id} (version {version})")


@app.command()
def serve(ctx: typer.Context,
          host: Annotated[str, typer.Option("--host", metavar="ADDRESS", help="Address to listen on. The default, loopback, is reachable from this machine only.")] = "127.0.0.1",
          port: Annotated[int, typer.Option("--port", "-p", metavar="PORT", help="Port to listen on.", min=1, max=65535)] = 8000,
          db: DbOption = None, lang: LangOption = None, as_: AsOption = None) -> None:
    """Run the app in a browser (textual-serve), for colleagues who do not use a terminal.

    Each browser tab runs its own session of the app on this database; every change is saved as in
    the terminal. It listens on 127.0.0.1 by default. From another machine, tunnel over SSH:

    ssh -L 8000:127.0.0.1:8000 you@this-server   and then open http://localhost:8000"""
    import shlex

    from textual_serve.server import Server

    bench = _bench(ctx, db)
    bench.db.exists()  # a wrong --db is refused here, not in every browser tab
    command = shlex.join([sys.executable, "-m", "kompass_tui", "--db", str(bench.folder),
                          "--lang", _lang(lang, ctx), "--as", _evaluator(ctx, as_)])
    typer.echo(f"Kompass in the browser: http://{host}:{port}  (ctrl+c stops it)")
    Server(command, host=host, port=port, title="Kompass").serve()


@app.command()
def locate(ctx: typer.Context, db: DbOption = None) -> None:
    """Print where the data and the frameworks are."""
    from kompass_tui import paths

    bench = _bench(ctx, db)
    for label, path in (("database", bench.folder), ("kept versions", bench.db.backups),
                        ("your frameworks", paths.user_criteria_dir()),
                        ("built-in frameworks", paths.bundled_criteria_dir())):
        typer.echo(f"{label + ':':<21} {path}")


@criteria_app.command("list")
def criteria_list(ctx: typer.Context, lang: LangOption = None, db: DbOption = None) -> None:
    """List installed frameworks."""
    from kompass_tui import criteria
    from kompass_tui.cli_views import frameworks_table

    problems: list[str] = []
    frameworks = criteria.installed(problems)
    _console().print(frameworks_table(frameworks, _lang(lang, ctx)))
    for line in problems:
        typer.echo(f"kompass: skipped {line}", err=True)


@criteria_app.command("show")
def criteria_show(ctx: typer.Context, framework_id: Annotated[str, typer.Argument(metavar="ID", help="Framework id.")], lang: LangOption = None,
                  db: DbOption = None) -> None:
    """Show a framework's areas and sub-questions with their maxima."""
    from kompass_tui import criteria
    from kompass_tui.cli_views import framework_view

    console = _console()
    for part in framework_view(criteria.get(framework_id), _lang(lang, ctx)):
        console.print(part)


@criteria_app.command("check")
def criteria_check(file: Annotated[Path, typer.Argument(metavar="FILE", help="A framework file (.toml).")], db: DbOption = None) -> None:
    """Check a framework file; installs nothing."""
    from kompass_tui import criteria

    fw = criteria.load(file)
    typer.echo(f"{file}: ok: {fw.id}, {len(fw.areas)} areas, {len(fw.questions)} sub-questions, {fw.maximum} points")


@criteria_app.command("add")
def criteria_add(file: Annotated[Path, typer.Argument(metavar="FILE", help="A framework file (.toml).")],
                 replace: Annotated[bool, typer.Option("--replace", metavar="", help="Use this file instead of an installed framework with the same id.")] = False,
                 db: DbOption = None) -> None:
    """Check a framework file and install it.

    It goes into your frameworks folder (see kompass locate), after which every command can use it
    by its id."""
    from kompass_tui import criteria

    fw = criteria.add(file, replace)
    typer.echo(f"installed {fw.id} as {fw.path}")


def main() -> None:
    app()
