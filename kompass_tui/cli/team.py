"""Commands for the team's work: score, consensus, disagreements, merge, and the texts."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Optional

import typer

from kompass_tui.cli.main import (
    NEGATIVE_NUMBERS_ARE_VALUES,
    TEXTS_MAY_START_WITH_DASH,
    AsOption,
    DbOption,
    LangOption,
    TextCommand,
    _bench,
    _console,
    _evaluator,
    _lang,
    _say,
    _text_arg,
    _words,
    app,
)
from kompass_tui.errors import InputError


@app.command(context_settings=NEGATIVE_NUMBERS_ARE_VALUES)
def score(
    ctx: typer.Context,
    id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
    question: Annotated[
        str,
        typer.Argument(metavar="QUESTION", help="Sub-question id such as 2.4 (an area id for area-level evaluations)."),
    ],
    value: Annotated[
        str, typer.Argument(metavar="VALUE", help="Points in half steps: 9,5 or 9.5; 'none' removes your score.")
    ],
    note: Annotated[
        Optional[str], typer.Option("--note", "-n", metavar="TEXT", help="Evidence note ('-' reads standard input).")
    ] = None,
    source: Annotated[
        Optional[list[str]],
        typer.Option("--source", "-s", metavar="SOURCE", help="interview, document or website; repeat for more."),
    ] = None,
    as_: AsOption = None,
    db: DbOption = None,
) -> None:
    """Score a sub-question, with its evidence if given.

    The score, note and sources are yours (--as); the score that counts is the team's consensus
    (kompass consensus), or yours and the others' where you all agree. Scores are half points from
    0 to the sub-question's maximum; 9,5 and 9.5 both work.

    Example: kompass score botkyrka-2003 2.4 18 --note "Brukarenkät varje år" -s document -s interview"""
    from kompass_tui.core import scoring, team
    from kompass_tui.core.points import fmt, parse_entry

    by, points = _evaluator(ctx, as_), parse_entry(value)
    text = _text_arg(note, "the note") if note is not None else None  # read before the edit takes the lock
    ev = _bench(ctx, db).score(id, question, points, by, text, source or None)
    by = team.member(ev, by) or by  # as the team spells the name
    _say(
        f"{id} {question} = {fmt(scoring.own(ev, question, by), empty='none')}" + ("" if ev.area_level else f" ({by})")
    )


@app.command(context_settings=NEGATIVE_NUMBERS_ARE_VALUES)
def consensus(
    ctx: typer.Context,
    id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
    question: Annotated[str, typer.Argument(metavar="QUESTION", help="Sub-question id such as 2.4.")],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="The agreed points (9,5 or 9.5), or 'none' to clear.")],
    note: Annotated[
        Optional[str],
        typer.Option(
            "--note",
            "-n",
            metavar="TEXT",
            help="The agreed note, the text the team stands behind ('-' reads standard input; '' clears it).",
        ),
    ] = None,
    as_: AsOption = None,
    db: DbOption = None,
) -> None:
    """Set the consensus score of a sub-question, and its agreed note if given.

    The consensus is what totals, charts and reports use; it is set by the lead evaluator, whose
    name (--as) is kept with it. The agreed note is what the municipality's report shows for the
    sub-question (never an evaluator's own note). See kompass disagreements for where the
    evaluators differ."""
    from kompass_tui.core.points import fmt, parse_entry

    points = parse_entry(value)
    text = _text_arg(note, "the agreed note") if note is not None else None  # read before the edit takes the lock
    ev = _bench(ctx, db).consensus(id, question, points, _evaluator(ctx, as_), text)
    said = fmt(ev.answer(question).score) if points is not None else "cleared"
    _say(
        f"{id} {question}: consensus {said}"
        + ("" if text is None else ", agreed note saved" if text else ", agreed note cleared")
    )


@app.command()
def disagreements(
    ctx: typer.Context,
    id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """List where the evaluators' scores differ, largest spread first.

    For the consensus meeting: each evaluator's score and note side by side, and the consensus
    where it is set (kompass consensus ID QUESTION VALUE sets it; so does d in the app)."""
    from kompass_tui.cli.views import disagreements_view, print_parts

    ev, fw, found = _bench(ctx, db).disagreements(id)
    if not found:
        _say(_words(ctx, "cli_no_disagreements", id=id))
        return
    console = _console()
    print_parts(console, disagreements_view(ev, fw, found, _lang(lang, ctx)))


@app.command()
def merge(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="An evaluation exported with kompass export ID --format json.")
    ],
    db: DbOption = None,
) -> None:
    """Merge another copy of an evaluation (from another laptop) into this database.

    Each evaluator's scores and notes are kept from whichever copy has them; where one evaluator
    edited the same sub-question in both, the newer is kept and this says so. Differing shared
    texts are both kept. The version before the merge is kept too (kompass restore)."""
    result = _bench(ctx, db).merge(file)
    for line in result.messages:
        _say(line)
    _say(_words(ctx, "cli_merged", file=file, id=result.evaluation.id))


TextArg = Annotated[
    Optional[str],
    typer.Argument(
        metavar="TEXT",
        help="The text; '-' reads standard input; lines starting with '- ' become a list.",
        show_default=False,
    ),
]
AppendOption = Annotated[
    bool, typer.Option("--append", help="Add TEXT after what is there, on a line of its own (else it replaces it).")
]
ClearOption = Annotated[bool, typer.Option("--clear", help="Clear the text (an empty TEXT asks first).")]


def _text_to_save(text: Optional[str], clear: bool, what: str) -> str:
    """The text a text command saves: TEXT, or "" with --clear. An empty TEXT clears only when the
    user says so (asked on a terminal, else --clear): a stray "" must not wipe a text."""
    if clear:
        if text:
            raise InputError("--clear takes no TEXT; give either", sv="--clear tar ingen TEXT; ange det ena")
        return ""
    if text is None:
        raise InputError(
            f"give the text ('-' reads it from standard input), or --clear to clear {what}",
            sv="ange texten ('-' läser den från standard in), eller --clear för att tömma den",
        )
    kept = _text_arg(text, what)
    if kept.strip():
        return kept
    if sys.stdin.isatty() and typer.confirm(f"The text is empty. Clear {what}?", default=False, err=True):
        return ""
    raise InputError(
        f"the text is empty: nothing changed; to clear {what}, use --clear",
        sv="texten är tom: inget ändrades; använd --clear för att tömma den",
    )


def _saved(ctx: typer.Context, kind: str, append: bool, text: str) -> str:
    """What a text command did, in the command's language: the strengths saved, added to, cleared."""
    from kompass_tui.i18n import t

    lang = _lang(None, ctx)
    return t(
        lang, "cli_text_" + ("cleared" if not text else "added" if append else "saved"), what=t(lang, kind).lower()
    )


def _area_text_command(kind: str, doc: str) -> Callable[..., None]:
    def command(
        ctx: typer.Context,
        id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
        area: Annotated[str, typer.Argument(metavar="AREA", help="Area id, 1 to 8 in Kommunkompassen.")],
        text: TextArg = None,
        append: AppendOption = False,
        clear: ClearOption = False,
        db: DbOption = None,
    ) -> None:
        value = _text_to_save(text, clear, f"the {kind} of {id} area {area}")
        _bench(ctx, db).area_text(id, area, kind, value, append)
        _say(f"{id} {_words(ctx, 'area').lower()} {area}: {_saved(ctx, kind, append, value)}")

    command.__doc__ = doc
    return command


def _eval_text_command(kind: str, doc: str) -> Callable[..., None]:
    def command(
        ctx: typer.Context,
        id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
        text: TextArg = None,
        append: AppendOption = False,
        clear: ClearOption = False,
        db: DbOption = None,
    ) -> None:
        value = _text_to_save(text, clear, f"the {kind} of {id}")
        _bench(ctx, db).text(id, kind, value, append)
        _say(f"{id}: {_saved(ctx, kind, append, value)}")

    command.__doc__ = doc
    return command


for _kind, _doc, _make in (
    ("strengths", "Set an area's strengths (replaces the text, or --append).", _area_text_command),
    (
        "improvements",
        "Set an area's improvement areas, utvecklingsområden (replaces the text, or --append).",
        _area_text_command,
    ),
    ("summary", "Set the evaluation's summary (replaces the text, or --append).", _eval_text_command),
    (
        "challenges",
        "Set the closing challenges, the report's Slutord (replaces the text, or --append).",
        _eval_text_command,
    ),
):
    app.command(_kind, cls=TextCommand, context_settings=TEXTS_MAY_START_WITH_DASH)(_make(_kind, _doc))


@app.command("team")
def team_(
    ctx: typer.Context,
    id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
    action: Annotated[
        Optional[str], typer.Argument(metavar="[add|rename|remove]", help="What to change; nothing lists the team.")
    ] = None,
    names: Annotated[
        Optional[list[str]], typer.Argument(metavar="NAME ...", help="NAME, or OLD NEW to rename.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="remove: also remove the person's own scores and notes.")
    ] = False,
    db: DbOption = None,
) -> None:
    """List or change an evaluation's team.

    Names are matched whatever the case or accents typed (anna berg is Anna Berg). rename carries
    the person's scores, notes and consensus decisions to the new name; remove is refused while
    they have scores or notes of their own, unless --force.

    Example: kompass team botkyrka-2026 add "Omar Said"; kompass team botkyrka-2026 rename root "Anna Berg\""""
    from kompass_tui.core import team
    from kompass_tui.core.sanitize import one_line

    bench = _bench(ctx, db)
    if action is None:
        ev = bench.get(id)
        if not ev.evaluators:
            _say(f"{id}: no team yet (kompass team {id} add NAME sets one)")
        for name in ev.evaluators:
            held = team.entries_of(ev, name)
            _say(f"{one_line(name)}  ({held} sub-question{'s' if held != 1 else ''} scored or noted)")
        return
    ev = bench.team_change(id, action, names or [], force)
    _say(f"{id}: team {', '.join(one_line(e) for e in ev.evaluators) or 'empty'}")
