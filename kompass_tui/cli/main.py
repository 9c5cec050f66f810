"""The `kompass` command's base: the Typer app and its root options, one way to print
(sanitize.visible, never markup), to report errors (one line, no traceback), and to reach the
service. The commands are in the modules beside this one, by topic; modules are imported inside
the commands that use them, so `kompass --help` and `kompass show` start fast."""

from __future__ import annotations

import copy
import gc
import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional, TextIO

import click
import typer
from typer.core import TyperCommand, TyperGroup

from kompass_tui.errors import KompassError
from kompass_tui.exchange import formats

if TYPE_CHECKING:
    from kompass_tui.cli.views import SafeConsole
    from kompass_tui.service import Workbench

# How `kompass --help` lists the commands (they are defined by topic, in the modules beside this one).
ORDER = (
    "open",
    "demo",
    "new",
    "list",
    "show",
    "score",
    "consensus",
    "disagreements",
    "merge",
    "sync",
    "history",
    "strengths",
    "improvements",
    "summary",
    "challenges",
    "actions",
    "action",
    "followup",
    "import",
    "export",
    "compare",
    "chart",
    "delete",
    "restore",
    "serve",
    "locate",
    "criteria",
)


class KompassGroup(TyperGroup):
    """Turns a KompassError into one line on stderr and exit status 1: never a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(super().list_commands(ctx), key=lambda name: ORDER.index(name) if name in ORDER else len(ORDER))

    def invoke(self, ctx: click.Context) -> Any:
        typed = [*getattr(ctx, "_protected_args", []), *ctx.args]  # (the command's own options are read in it)
        try:
            return super().invoke(ctx)
        except KompassError as exc:
            for line in exc.words_in(_error_lang(ctx, typed)).splitlines() or [type(exc).__name__]:
                _say(f"kompass: {line}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except BrokenPipeError:  # the reader went away (`kompass list | head`): quietly, as shell tools do
            _stdout_gone()
            raise typer.Exit(141) from None
        except Exception as exc:
            if os.environ.get("KOMPASS_DEBUG"):
                raise
            if isinstance(exc, OSError):
                where = f"{exc.filename}: " if exc.filename else ""
                _say(f"kompass: {where}{exc.strerror or exc}", err=True)
                raise typer.Exit(1) from None
            _say(
                f"kompass: internal error ({type(exc).__name__}: {exc}); "
                "please report it; KOMPASS_DEBUG=1 shows the details",
                err=True,
            )
            raise typer.Exit(70) from None


def _error_lang(ctx: click.Context, typed: list[str]) -> str:
    """The language of the command that failed: its --lang (looked for in what was typed, as the
    command may not have read it yet), else as _lang decides; English if that fails too."""
    given = None
    for n, arg in enumerate(typed):
        if arg == "--lang" and n + 1 < len(typed):
            given = typed[n + 1]
        elif arg.startswith("--lang="):
            given = arg.removeprefix("--lang=")
    try:
        return _lang(given, ctx)  # type: ignore[arg-type]
    except KompassError:
        return "en"


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
    suggest_commands=False,  # click suggests already: one "Did you mean" per typo
    context_settings={"help_option_names": ["-h", "--help"]},
)
criteria_app = typer.Typer(
    cls=KompassGroup,
    help="Frameworks: list, show, check, add.",
    no_args_is_help=True,
    suggest_commands=False,  # click suggests already: one "Did you mean" per typo
)
app.add_typer(criteria_app, name="criteria")

FORMATS_HELP = "; ".join(f"{f.name}: {f.holds}" for f in formats.FORMATS.values()) + "."
DbOption = Annotated[
    Optional[Path],
    typer.Option(
        "--db",
        help="Database folder (default: $KOMPASS_DB, else your user data folder; see kompass locate).",
        show_default=False,
        metavar="PATH",
    ),
]
LangOption = Annotated[
    Optional[str], typer.Option("--lang", help="sv or en (default: from your locale).", metavar="sv|en")
]
AsOption = Annotated[
    Optional[str],
    typer.Option(
        "--as",
        help="Who you are: your scores and notes are yours (default: $KOMPASS_AS, else your login name).",
        metavar="NAME",
        show_default=False,
    ),
]


def _say(text: object = "", err: bool = False) -> None:
    """Every line the CLI prints: user text in it (names, notes, file names) can never write a
    control character or an escape sequence to the terminal (sanitize.visible)."""
    from kompass_tui.core.sanitize import visible

    typer.echo(visible(str(text)), err=err)


def _words(ctx: typer.Context | None, key: str, **values: object) -> str:
    """A message of the CLI's in the command's language (--lang, $KOMPASS_LANG, settings, locale)."""
    from kompass_tui.i18n import t

    return t(_lang(None, ctx), key, **values)


def _confirm(question: str) -> bool:
    """Ask a yes/no question on the terminal; no answer (the end of input) is no."""
    try:
        return typer.confirm(question, default=False)
    except click.exceptions.Abort:
        _say("", err=True)
        return False


def _warn(message: str) -> None:
    _say(f"kompass: {message}", err=True)


def _bench(ctx: typer.Context | None, db: Optional[Path]) -> Workbench:
    from kompass_tui.service import Workbench
    from kompass_tui.store import DEFAULT_WAIT

    if db is None and ctx is not None:
        db = _root_obj(ctx).get("db")
    wait = _root_obj(ctx).get("wait") if ctx is not None else None
    quiet = bool(_root_obj(ctx).get("quiet")) if ctx is not None else False
    progress = None
    if not quiet and sys.stderr.isatty():  # a bar on a terminal; nothing when piped or --quiet
        from kompass_tui.cli.views import ProgressBar

        progress = ProgressBar()
    return Workbench(db, report=_warn, wait=DEFAULT_WAIT if wait is None else wait, progress=progress)


def _ids(values: list[str]) -> list[str]:
    """Evaluation ids given apart or joined by commas (`a b`, `a,b`)."""
    return [part for value in values for part in value.split(",") if part]


def _text_arg(text: str, what: str, stdin: bool = True) -> str:
    """TEXT arguments: '-' reads the text from standard input (for long, multi-line notes; not where
    stdin is False: a title or a name). Kept as sanitize.clean_text leaves it; what it removed is said."""
    from kompass_tui.core.sanitize import clean_text

    kept, removed = clean_text(sys.stdin.read() if stdin and text == "-" else text, what)
    if removed:
        _warn(
            f"removed {removed} control character{'s' if removed != 1 else ''} from {what} "
            "(escape sequences and the like are never kept)"
        )
    return kept


def _lang(lang: Optional[str], ctx: typer.Context | None = None) -> str:
    """--lang on the command, else --lang before it (`kompass --lang sv list`), else $KOMPASS_LANG,
    the settings file, the locale (service.preferences)."""
    from kompass_tui.service.preferences import language, settings

    settings(report=_warn)
    return language(lang or (_root_obj(ctx).get("lang") if ctx is not None else None))


def _console() -> SafeConsole:
    from kompass_tui.cli.views import SafeConsole

    return SafeConsole(soft_wrap=False)


def _evaluator(ctx: typer.Context | None, name: Optional[str]) -> str:
    """--as on the command, else --as before it, else who the service says (service.evaluator)."""
    from kompass_tui.service import evaluator

    name, removed = evaluator(name or (_root_obj(ctx).get("as") if ctx is not None else None))
    if removed:
        _warn(f"removed {removed} control character{'s' if removed != 1 else ''} from --as: you are {name!r}")
    return name


def _root_obj(ctx: typer.Context) -> dict[str, Any]:
    return ctx.find_root().obj or {}


def _open_app(
    bench: Workbench, lang: str, open_id: str | None = None, evaluator: str = "", ctx: typer.Context | None = None
) -> bool:
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
def root(
    ctx: typer.Context,
    db: DbOption = None,
    lang: LangOption = None,
    as_: AsOption = None,
    wait: Annotated[
        Optional[float],
        typer.Option(
            "--wait",
            metavar="SECONDS",
            min=0,
            show_default=False,
            help="How long a change waits for another Kompass session that holds the database, "
            "before it gives up (default: 30; the app waits as long as it takes).",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", metavar="", help="No progress bar for long work (an import of thousands).")
    ] = False,
    version: Annotated[bool, typer.Option("--version", metavar="", help="Print the version and exit.")] = False,
) -> None:
    """Without a command: open the app on the database."""
    if wait is not None and not math.isfinite(wait):
        raise typer.BadParameter("give a number of seconds, such as 60", param_hint="--wait")
    ctx.obj = {"db": db, "lang": lang, "as": as_, "wait": wait, "quiet": quiet}
    if version:
        from kompass_tui import __version__

        _say(f"kompass {__version__}")
        raise typer.Exit()
    if ctx.invoked_subcommand is None and not _open_app(
        _bench(ctx, db), _lang(lang), evaluator=_evaluator(ctx, as_), ctx=ctx
    ):
        _say(ctx.get_help())
        _say("\n(kompass opens the app when it runs in a terminal)")


# `kompass score ID 2.1 -1` must reach the range check, not fail as an unknown option `-1`.
NEGATIVE_NUMBERS_ARE_VALUES = {"ignore_unknown_options": True}
# Texts such as "- a list item" are values too; these commands have no short options, so no
# letter of the text can be taken for one; -h right after the command's name is its help
# (TextCommand).
TEXTS_MAY_START_WITH_DASH = {"ignore_unknown_options": True, "help_option_names": ["--help"]}


class TextCommand(TyperCommand):
    """A command whose TEXT may start with '-': `-h` is its help only right after its name
    (`kompass strengths -h`); after the other arguments it is a text."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args[:1] == ["-h"]:
            _say(ctx.get_help())
            ctx.exit()
        return super().parse_args(ctx, args)


class _VisibleStream:
    """Standard error with sanitize.visible on every write: also Click's own messages (an unknown
    option, a bad value) repeat what was typed, and must not write control characters either.
    (The app draws on sys.__stderr__ and is not affected.)"""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        from kompass_tui.core.sanitize import visible

        return self._stream.write(visible(text) if isinstance(text, str) else text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _stdout_gone() -> None:
    """Standard output's reader has gone: nothing more is written to it (nor flushed at exit)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


ROOT_VALUES = ("--db", "--lang", "--as", "--wait")  # the root's options that take a value


def asked_for(args: list[str]) -> str | None:
    """The command a run asks for: the first word after the root's options (None: none, or the
    root's own help)."""
    n = 0
    while n < len(args):
        arg = args[n]
        if arg in ("--help", "-h"):
            return None
        if arg in ROOT_VALUES:
            n += 2
        elif arg.startswith("-"):
            n += 1
        else:
            return arg
    return None


def only(name: str | None) -> typer.Typer:
    """The app with only the command (or group) name in it, where there is one of that name: Typer
    makes a click command of every registered one on each run (40 ms for 36 here), though a run
    uses one. Otherwise (the root's help, a mistyped name and its suggestion) the whole app."""
    from typer.main import get_command_name

    commands = [
        c
        for c in app.registered_commands
        if c.callback is not None and (c.name or get_command_name(c.callback.__name__)) == name
    ]
    groups = [g for g in app.registered_groups if g.name == name]
    if not (commands or groups):
        return app
    one = copy.copy(app)
    one.registered_commands, one.registered_groups = commands, groups
    return one


def main() -> None:
    if not isinstance(sys.stderr, _VisibleStream) and sys.stderr is not None:
        sys.stderr = _VisibleStream(sys.stderr)
    try:
        try:
            only(asked_for(sys.argv[1:]))()
        finally:
            sys.stdout.flush()  # here, not at exit, where a reader gone away would be a traceback
    except BrokenPipeError:
        _stdout_gone()
        raise SystemExit(141) from None
    finally:
        # The command is done and the process ends: Python's last collection would walk every
        # object the command made (14,500 rows: a tenth of `kompass list`) only to find no cycles.
        gc.freeze()
