"""The action plan and its follow-up in words: a status, an action on one line, how an area's
actions stand, and the follow-up line of an area at a re-evaluation ("Område 2: +6,5 sedan 2003 ·
3 av 4 åtgärder klara"). Plain text, no markup: the CLI prints it (sanitize.visible), the app shows
it as Text, the reports escape it. One wording for all of them."""

from __future__ import annotations

from kompass_tui.core.actions import Tally, improvement_items
from kompass_tui.core.comparison import signed
from kompass_tui.core.followup import AreaFollowup, Followup
from kompass_tui.core.model import Action, Evaluation
from kompass_tui.core.sanitize import one_line
from kompass_tui.i18n import t

STATUS_MARKS = {"planned": "○", "started": "◐", "done": "●", "dropped": "✕"}  # at a glance, also without colour


def status_word(status: str, lang: str) -> str:
    return t(lang, f"status_{status}")


def tally_text(tally: Tally, lang: str) -> str:
    """'3 of 4 actions done · 1 dropped · 1 overdue'; 'no actions' where there are none."""
    if not tally:
        return t(lang, "no_actions")
    parts = [t(lang, "actions_done", done=tally.done, n=tally.counted)] if tally.counted else []
    if tally.dropped:
        parts.append(t(lang, "actions_dropped", n=tally.dropped))
    if tally.overdue:
        parts.append(t(lang, "actions_overdue", n=tally.overdue))
    return " · ".join(parts)


def action_line(action: Action, lang: str, today: str = "") -> str:
    """'2.a ● done  Publish the commitments — Kommunledningskontoret, due 2004-06-30 (overdue)'."""
    facts = [one_line(action.owner)] if action.owner else []
    if action.due:
        facts.append(f"{t(lang, 'due').lower()} {action.due}")
    late = f" ({t(lang, 'overdue')})" if today and action.overdue(today) else ""
    tail = f" — {', '.join(facts)}" if facts else ""
    return (
        f"{action.id} {STATUS_MARKS[action.status]} {status_word(action.status, lang)}  "
        f"{one_line(action.title)}{tail}{late}"
    )


def improvement_of(ev: Evaluation, action: Action) -> str:
    """The improvement area an action is on, as the area's text has it now ('' if none or gone)."""
    if action.improvement is None:
        return ""
    items = improvement_items(ev.area(action.area).improvements)
    return items[action.improvement - 1] if action.improvement <= len(items) else ""


def followup_line(item: AreaFollowup, followup: Followup, lang: str, named: bool = False) -> str:
    """'Area 2: +6.5 since 2003 · 3 of 4 actions done' (the change only where the rounds pair);
    named: with the area's name ('Area 2 Citizen orientation: …')."""
    head = t(lang, "followup_area", id=item.area.id) + (f" {one_line(item.area.name(lang))}" if named else "")
    if followup.paired and item.change is not None:
        head += ": " + t(lang, "followup_change", change=signed(item.change, lang), year=followup.previous.year)
    return " · ".join([head, tally_text(item.tally, lang)])


def followup_lines(followup: Followup, lang: str, today: str = "") -> list[str]:
    """The follow-up for the consensus meeting: a heading, then per area its line and the previous
    round's actions under it (areas with no actions and no change are left out)."""
    before = followup.previous
    lines = [t(lang, "followup", year=before.year) + f" ({one_line(before.title)}, {before.id})"]
    if not followup.paired:
        lines.append(t(lang, "followup_other_framework", year=before.year, framework=followup.framework.name(lang)))
    if not before.plan():
        lines.append(t(lang, "followup_no_plan", title=one_line(before.title)))
    for item in followup.areas:
        if not item.actions and item.change is None:
            continue
        lines += ["", followup_line(item, followup, lang, named=True)]
        lines += [f"  {action_line(a, lang, today)}" for a in item.actions]
    return lines
