"""Commands that undo: delete (kept first) and restore."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from kompass_tui.cli.main import DbOption, _bench, _confirm, _say, _warn, _words, app
from kompass_tui.errors import KompassError


@app.command()
def delete(
    ctx: typer.Context,
    id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", metavar="", help="Do not ask for confirmation.")] = False,
    db: DbOption = None,
) -> None:
    """Delete an evaluation (asks first)."""
    bench = _bench(ctx, db)
    ev = bench.get(id)
    from kompass_tui.core.sanitize import one_line

    if not yes and not _confirm(f"Delete {ev.id} ({one_line(ev.title)})?"):
        _warn(_words(ctx, "cli_not_deleted", id=id))
        raise typer.Exit(1)
    bench.delete(id)
    _say(_words(ctx, "cli_deleted", id=id))


@app.command()
def restore(
    ctx: typer.Context,
    id: Annotated[Optional[str], typer.Argument(metavar="ID", help="Evaluation id (also of a deleted one).")] = None,
    version: Annotated[
        int, typer.Option("--version", "-v", metavar="N", help="Which kept version: 1 is the newest.", min=1)
    ] = 1,
    list_: Annotated[bool, typer.Option("--list", "-l", metavar="", help="List the kept versions instead.")] = False,
    db: DbOption = None,
) -> None:
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
