"""Commands for the action plan: actions (list), action add|set|remove, and followup (the previous
round's actions beside the change, for the consensus meeting of a re-evaluation)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from kompass_tui.cli.main import (
    AsOption,
    DbOption,
    KompassGroup,
    LangOption,
    _bench,
    _confirm,
    _evaluator,
    _lang,
    _say,
    _text_arg,
    _warn,
    _words,
    app,
)

action_app = typer.Typer(
    cls=KompassGroup,
    help="Change the action plan: add, set, remove (kompass actions ID lists it).",
    no_args_is_help=True,
    suggest_commands=False,
)
app.add_typer(action_app, name="action")

AreaOption = Annotated[Optional[str], typer.Option("--area", "-a", metavar="AREA", help="Only this area's actions.")]
StatusOption = Annotated[
    Optional[str],
    typer.Option(
        "--status", metavar="STATUS", help="planned, started, done or dropped (planerad, påbörjad, klar, avbruten)."
    ),
]
OwnerOption = Annotated[
    Optional[str], typer.Option("--owner", metavar="OWNER", help="Who carries it out: a person or a unit.")
]
DueOption = Annotated[Optional[str], typer.Option("--due", metavar="YYYY-MM-DD", help="When it is to be done.")]
DescriptionOption = Annotated[
    Optional[str], typer.Option("--description", metavar="TEXT", help="What it means ('-' reads standard input).")
]
ImprovementOption = Annotated[
    Optional[int],
    typer.Option(
        "--improvement",
        metavar="N",
        min=0,
        help="Which of the area's improvement areas it answers (1 = the first listed; 0: none).",
    ),
]


@app.command()
def actions(
    ctx: typer.Context,
    id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
    area: AreaOption = None,
    status: StatusOption = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", metavar="", help="Only actions still open after their due date.")
    ] = False,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """List the action plan, per area.

    Each action with its id (2.a: area 2's first), status, title, owner and due date, and the
    improvement area it answers. kompass action add|set|remove changes it."""
    from kompass_tui.core.actions import tally
    from kompass_tui.core.sanitize import one_line
    from kompass_tui.exchange import plans
    from kompass_tui.service.bench import today

    bench, language = _bench(ctx, db), _lang(lang, ctx)
    ev, fw, found = bench.actions(id, area, status, overdue)
    day = today()
    if not found:
        _say(_words(ctx, "cli_no_actions", id=id) if not ev.plan() else _words(ctx, "cli_no_actions_match", id=id))
        return
    for part in fw.areas:
        listed = [a for a in found if a.area == part.id]
        if not listed:
            continue
        heading = (
            f"{part.id} {one_line(part.name(language))} · {plans.tally_text(tally(ev.plan(part.id), day), language)}"
        )
        _say(heading)
        for action in listed:
            _say(f"  {plans.action_line(action, language, day)}")
            on = plans.improvement_of(ev, action)
            if on:
                _say(f"      {_words(ctx, 'improvement_area').lower()} {action.improvement}: {one_line(on)}")


@action_app.command("add")
def add(
    ctx: typer.Context,
    id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
    area: Annotated[str, typer.Argument(metavar="AREA", help="Area id, 1 to 8 in Kommunkompassen.")],
    title: Annotated[str, typer.Argument(metavar="TITLE", help="What is to be done, in a line.")],
    improvement: ImprovementOption = None,
    owner: OwnerOption = None,
    due: DueOption = None,
    description: DescriptionOption = None,
    status: StatusOption = None,
    as_: AsOption = None,
    db: DbOption = None,
) -> None:
    """Add an action to an area's plan; it gets the next id of the area (2.a, 2.b …).

    Example: kompass action add botkyrka-2003 2 "Publicera enheternas åtaganden" --improvement 1
    --owner Kommunledningskontoret --due 2004-06-30"""
    text = _text_arg(description, "the description") if description is not None else ""
    ev, action = _bench(ctx, db).add_action(
        id,
        area,
        _text_arg(title, "the title", stdin=False),  # (what cleaning removes is said)
        _evaluator(ctx, as_),
        improvement,
        _text_arg(owner, "the owner", stdin=False) if owner else "",
        due or "",
        text,
        status or "planned",
    )
    _say(_words(ctx, "cli_action_added", id=ev.id, action=action.id))


@action_app.command("set")
def set_(
    ctx: typer.Context,
    id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
    action: Annotated[str, typer.Argument(metavar="ACTION", help="Action id, such as 2.a (kompass actions ID).")],
    status: StatusOption = None,
    owner: OwnerOption = None,
    due: DueOption = None,
    comment: Annotated[
        Optional[str], typer.Option("--comment", metavar="TEXT", help="Why, or how far it has come: logged.")
    ] = None,
    title: Annotated[Optional[str], typer.Option("--title", metavar="TITLE", help="A new title.")] = None,
    description: DescriptionOption = None,
    improvement: ImprovementOption = None,
    as_: AsOption = None,
    db: DbOption = None,
) -> None:
    """Change an action: its status, owner, due date, title, description; a status change or a
    comment is logged with your name (--as) and the time.

    Example: kompass action set botkyrka-2003 2.a --status klar --comment "Publicerat i maj\""""
    fields: dict[str, object] = {
        "state": status,
        "owner": _text_arg(owner, "the owner", stdin=False) if owner is not None else None,
        "due_date": due,
        "comment": _text_arg(comment, "the comment") if comment is not None else None,
        "title": _text_arg(title, "the title", stdin=False) if title is not None else None,
        "description": _text_arg(description, "the description") if description is not None else None,
    }
    if improvement is not None:
        fields["improvement"] = improvement
    if all(value is None for value in fields.values()):
        from kompass_tui.errors import InputError

        raise InputError(
            "say what to change: --status, --owner, --due, --comment, --title, --description or --improvement",
            sv="ange vad som ska ändras: --status, --owner, --due, --comment, --title, --description eller --improvement",
        )
    changed = _bench(ctx, db).set_action(id, action, _evaluator(ctx, as_), **fields)[1]
    from kompass_tui.exchange.plans import action_line

    _say(action_line(changed, _lang(None, ctx)))


@action_app.command("remove")
def remove(
    ctx: typer.Context,
    id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id.")],
    action: Annotated[str, typer.Argument(metavar="ACTION", help="Action id, such as 2.a.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", metavar="", help="Do not ask for confirmation.")] = False,
    as_: AsOption = None,
    db: DbOption = None,
) -> None:
    """Remove an action (asks first). Its id is not used again, and a merge with an older copy
    does not bring it back; kompass restore undoes the removal."""
    from kompass_tui.core.actions import find
    from kompass_tui.core.sanitize import one_line

    bench = _bench(ctx, db)
    found = find(bench.get(id), action)
    if not yes and not _confirm(_words(ctx, "cli_action_remove_ask", action=found.id, title=one_line(found.title, 60))):
        _warn(_words(ctx, "cli_action_kept", action=found.id))
        raise typer.Exit(1)
    bench.remove_action(id, found.id, _evaluator(ctx, as_))
    _say(_words(ctx, "cli_action_removed", id=id, action=found.id))


@app.command()
def followup(
    ctx: typer.Context,
    id: Annotated[str, typer.Argument(metavar="ID", help="Evaluation id (the new round).")],
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """The previous round's action plan beside what changed, per area: for the consensus meeting
    of a re-evaluation.

    "Area 2: +6.5 since 2003 · 3 of 4 actions done", then those actions and their status. Where
    the previous round used another version of the framework, its actions are listed under its own
    areas, not paired with the new ones."""
    from kompass_tui.core.sanitize import one_line
    from kompass_tui.exchange.plans import followup_lines
    from kompass_tui.service.bench import today

    bench, language = _bench(ctx, db), _lang(lang, ctx)
    ev = bench.get(id)
    found = bench.followup(ev)
    if found is None:
        _say(_words(ctx, "followup_none", title=one_line(ev.title)))
        return
    for text in followup_lines(found, language, today()):
        _say(text)
