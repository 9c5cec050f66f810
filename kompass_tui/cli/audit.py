"""The history command: who changed what in an evaluation, and when (service.audit)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from kompass_tui.cli.main import DbOption, LangOption, _bench, _lang, _say, app


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
    from kompass_tui.service import audit

    bench = _bench(ctx, db)
    for line in audit.lines(bench, audit.history(bench, id, question), _lang(lang, ctx)):
        _say(line)
