"""The history command: who changed what in an evaluation, and when (service.audit)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from kompass_tui.cli.main import DbOption, LangOption, _bench, _lang, _say, app

WHO_COLUMN = 30  # columns of a name at most; a longer one is cut with …

_WORDS = {
    "en": {
        "none": "no history yet",
        "latest": "Not shared through git: when each part was last set, the latest state only "
        "(kompass sync setup REMOTE keeps the whole history from then on).",
        "unsynced": "not synced",
    },
    "sv": {
        "none": "ingen historik ännu",
        "latest": "Delas inte genom git: när varje del senast ändrades, bara det senaste läget "
        "(kompass sync setup REMOTE sparar hela historiken från och med då).",
        "unsynced": "inte synkad",
    },
}


@app.command("history")
def history(
    ctx: typer.Context,
    id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
    question: Annotated[
        Optional[str],
        typer.Argument(metavar="QUESTION", help="Only this sub-question's changes (1.1), or an area's (2)."),
    ] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Who changed what, and when: the evaluation's history, newest first.

    Each line: when, who, what (1.1 30 · note on 1.2), and the commit it came in. With QUESTION,
    only the changes to that sub-question: its evaluators' scores, notes and sources, the consensus
    and the agreed note and sources. The whole history when the database is shared through git
    (kompass sync); otherwise when each part of the evaluation was last set."""
    from rich.cells import cell_len

    from kompass_tui.core.sanitize import one_line
    from kompass_tui.service import audit

    bench = _bench(ctx, db)
    words = _WORDS["sv" if _lang(lang, ctx) == "sv" else "en"]
    events = audit.grouped(audit.history(bench, id, question))
    shared = audit.shared(bench)
    if not events:
        _say(words["none"])
        return
    if not shared:
        _say(words["latest"])
    names = [one_line(e.who, WHO_COLUMN) if e.who else "–" for e in events]
    width = max(map(cell_len, names))
    for event, name in zip(events, names, strict=True):
        when = audit.local_time(event.at) or "–"
        came = (event.commit[:10] if event.commit else words["unsynced"]) if shared else ""
        padded = name + " " * (width - cell_len(name))
        line = f"{when:<16}  {padded}  {one_line(event.what)}"
        _say(f"{line}  ({came})" if came else line)
