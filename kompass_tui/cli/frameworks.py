"""Commands for frameworks: criteria list, show, check, add."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kompass_tui.cli.main import (
    DbOption,
    LangOption,
    _bench,
    _console,
    _lang,
    _say,
    _words,
    criteria_app,
)


@criteria_app.command("list")
def criteria_list(ctx: typer.Context, lang: LangOption = None, db: DbOption = None) -> None:
    """List installed frameworks."""
    from kompass_tui.cli.views import frameworks_table
    from kompass_tui.store import criteria

    problems: list[str] = []
    frameworks = criteria.installed(problems)
    _console().print(frameworks_table(frameworks, _lang(lang, ctx)))
    for line in problems:
        _say(f"kompass: skipped {line}", err=True)


@criteria_app.command("show")
def criteria_show(
    ctx: typer.Context,
    framework_id: Annotated[str, typer.Argument(metavar="ID", help="Framework id.")],
    lang: LangOption = None,
    db: DbOption = None,
) -> None:
    """Show a framework's areas and sub-questions with their maxima."""
    from kompass_tui.cli.views import framework_view, print_parts
    from kompass_tui.store import criteria

    console = _console()
    print_parts(console, framework_view(criteria.get(framework_id), _lang(lang, ctx)))


@criteria_app.command("check")
def criteria_check(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A framework file (.toml).")], db: DbOption = None
) -> None:
    """Check a framework file; installs nothing."""
    from kompass_tui.store import criteria

    fw = criteria.load(file)
    parts = (
        "areas only (no sub-questions: area-level evaluations)"
        if fw.areas_only
        else f"{len(fw.questions)} sub-questions"
    )
    _say(f"{file}: ok: {fw.id}, {len(fw.areas)} areas, {parts}, {fw.maximum} points")


@criteria_app.command("add")
def criteria_add(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A framework file (.toml).")],
    replace: Annotated[
        bool,
        typer.Option("--replace", metavar="", help="Use this file instead of an installed framework with the same id."),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            metavar="",
            help="Install it even if scores stored in the database would not fit it (they are then flagged and not counted).",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Check a framework file and install it.

    It goes into your frameworks folder (see kompass locate), after which every command can use it
    by its id. If scores stored in the database would not fit it (a maximum lowered, a sub-question
    gone), it lists them and installs nothing, unless --force."""
    fw = _bench(ctx, db).add_framework(file, replace, force)
    _say(_words(ctx, "cli_installed", id=fw.id, path=fw.path))
