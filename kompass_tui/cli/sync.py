"""Commands for a team's sync through git: sync, sync setup, sync status (and the merge driver git
calls for a merge made by hand)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from kompass_tui.cli.main import AsOption, DbOption, KompassGroup, _bench, _evaluator, _say, _warn, _words, app

if TYPE_CHECKING:
    from kompass_tui.service.sync import SyncReport

sync_app = typer.Typer(
    cls=KompassGroup,
    help="Share the database with your team through a git remote: sync, sync setup REMOTE, sync status.",
    invoke_without_command=True,
    suggest_commands=False,
)
app.add_typer(sync_app, name="sync")


@sync_app.callback()
def sync(ctx: typer.Context, as_: AsOption = None, db: DbOption = None) -> None:
    """Commit what changed here, fetch the team's changes, merge them with Kompass's merge, push.

    The merge is `kompass merge`'s: each evaluator's own entries kept, the newer of two edits of one
    evaluator's entry kept (and said), shared texts changed on both sides both kept in the working
    papers, the consensus never changed silently. Without a network, your changes stay committed
    here and the next sync shares them."""
    if ctx.invoked_subcommand is not None:
        return
    from kompass_tui.service.sync import Sync

    _show(ctx, Sync(_bench(ctx, db), prompts=True).sync(_evaluator(ctx, as_)))


@sync_app.command("setup")
def setup(
    ctx: typer.Context,
    remote: Annotated[
        str, typer.Argument(metavar="REMOTE", help="A git remote: ssh://host/path, user@host:path, or a folder.")
    ],
    as_: AsOption = None,
    db: DbOption = None,
) -> None:
    """Share this database through REMOTE (a bare git repository: git init --bare on the server).

    Only the evaluation files are shared; the index, the lock and the kept versions stay here. What
    the remote holds already comes in, what this database holds goes out."""
    from kompass_tui.service.sync import Sync

    _show(ctx, Sync(_bench(ctx, db), prompts=True).setup(remote, _evaluator(ctx, as_)))


@sync_app.command("status")
def status(ctx: typer.Context, db: DbOption = None) -> None:
    """What is not shared yet, and how far the remote is ahead (as of the last sync)."""
    from kompass_tui.service.sync import Sync

    state = Sync(_bench(ctx, db)).status()
    _say(_words(ctx, "cli_sync_remote", remote=state.remote))
    if state.changed:
        _say(_words(ctx, "cli_sync_changed", ids=", ".join(state.changed)))
    _say(_words(ctx, "cli_sync_counts", ahead=state.ahead, behind=state.behind))


@sync_app.command("merge-file", hidden=True)
def merge_file(
    base: Annotated[Path, typer.Argument()],
    mine: Annotated[Path, typer.Argument()],
    theirs: Annotated[Path, typer.Argument()],
    name: Annotated[Optional[str], typer.Argument()] = None,
) -> None:
    """git's merge driver for evaluation files (a merge made with git by hand): mine becomes the
    merge. Exits 1, leaving mine as it was, if a side is not an evaluation Kompass can read."""
    from kompass_tui.service.sync import merge_files

    for line in merge_files(base, mine, theirs, name or str(mine)):
        _warn(line)


def _show(ctx: typer.Context, report: SyncReport) -> None:
    for key, lines in (("cli_sync_sent", report.sent), ("cli_sync_received", report.received)):
        for line in lines:
            _say(_words(ctx, key, line=line))
    for line in report.merged:
        _say(_words(ctx, "cli_sync_merged", line=line))
    for line in report.skipped:
        _warn(line)
    if report.offline:
        _warn(_words(ctx, "sync_offline", why=report.offline))
    elif not (report.sent or report.received or report.pushed):
        _say(_words(ctx, "cli_sync_up_to_date"))
