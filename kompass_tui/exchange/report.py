"""The Markdown report in the shape of a Kommunkompassen report: model in, text out, nothing else.

Title and facts, summary, the area table with the total ("Tabell 1") and the profile chart, per
area its sub-question table with strengths and improvement areas, the closing challenges, the
change since the municipality's previous evaluation where there is one, the follow-up of the
previous round's action plan beside it, the action plan (handlingsplan), and optionally the
comparison with other municipalities (areas as rows, municipalities as columns, the average, the
totals and ranks last) with its chart. Charts are plain text in fenced blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from functools import partial

from kompass_tui.core import comparison, consensus, scoring
from kompass_tui.core.actions import tally
from kompass_tui.core.comparison import Comparison
from kompass_tui.core.followup import Followup
from kompass_tui.core.framework import Area, Framework
from kompass_tui.core.model import AREA_TEXTS, Action, Evaluation
from kompass_tui.core.points import fmt
from kompass_tui.exchange import markdown as md
from kompass_tui.exchange import plans, tables
from kompass_tui.exchange.charts import PARTIAL, ChangeBars, Chart, Grouped, Profile, Series, Trend
from kompass_tui.i18n import t

CHART_WIDTH = 72


def render(
    ev: Evaluation,
    fw: Framework,
    lang: str,
    table: Comparison | None = None,
    rounds: Sequence[Evaluation] = (),
    charts: bool = True,
    internal: bool = False,
    followup: Followup | None = None,
    today: str = "",
    figure: Callable[[Chart], str] | None = None,
) -> str:
    """The report. table: a comparison to include; rounds: the municipality's evaluations, for the
    change since the previous one; charts: include the charts, as text (fenced, no colour codes)
    unless figure is given: what stands in the Markdown for a chart (a picture's link, say; '' for
    none);
    followup: the previous round's action plan beside the change (shown where that round had one);
    today (YYYY-MM-DD): what an open action's due date is overdue against.

    The municipality's document holds the consensus and what the team agreed on: each sub-question's
    agreed note (consensus.agreed_note), never an evaluator's own. internal: also the team's working
    papers after it: every evaluator's notes and sources, the disagreements and how they were
    settled, and every evaluator's scores."""
    draw = (figure or partial(_fenced, lang=lang)) if charts else None

    def chart(made: Callable[[], Chart]) -> list[str]:
        block = draw(made()) if draw is not None else ""
        return [block] if block else []

    parts = [_head(ev, fw, lang)]
    if ev.summary:
        parts += [f"## {t(lang, 'summary')}", md.blocks(ev.summary)]
    parts += [f"## {md.inline(t(lang, 'table1', title=ev.title, framework=fw.name(lang)))}", _area_table(ev, fw, lang)]
    if draw is not None:
        parts += [f"### {t(lang, 'profile')}", *chart(lambda: profile_figures(ev, fw, lang))]
    sole = consensus.sole_evaluator(ev)
    for area in fw.areas:
        parts += _area_section(ev, fw, area, lang, sole)
    if ev.challenges:
        parts += [f"## {t(lang, 'challenges')}", md.blocks(ev.challenges)]
    before, every_round = comparison.previous(ev, rounds), comparison.history(ev, rounds, any_version=True)
    if before is not None:
        parts += _change_section(ev, before, fw, lang)
        parts += chart(lambda: change_figures(ev, before, fw, lang))
        if len(every_round) > 1:
            parts += chart(lambda: trend_figures(every_round, fw, lang))
    elif draw is not None and len(every_round) > 1:  # earlier rounds in other versions only
        parts += [f"## {t(lang, 'trend')}", *chart(lambda: trend_figures(every_round, fw, lang))]
    if followup is not None and followup.previous.plan():
        parts += followup_section(followup, lang, today)
    if ev.plan():
        parts += [f"## {t(lang, 'action_plan')}", *plan_tables(ev, fw, lang, today, "###")]
    if table is not None:
        parts += [
            f"## {t(lang, 'comparison')}",
            comparison_table(table, lang),
            *chart(lambda: grouped_figures(table, lang)),
        ]
    if internal:
        parts += _working_papers(ev, fw, lang)
    return "\n\n".join(p for p in parts if p) + "\n"


def profile_chart(ev: Evaluation, fw: Framework, lang: str, width: int) -> str:
    return _text(profile_figures(ev, fw, lang), width, lang)


def grouped_chart(table: Comparison, lang: str, width: int) -> str:
    return _text(grouped_figures(table, lang), width, lang)


def trend_chart(rounds: Sequence[Evaluation], fw: Framework, lang: str, width: int) -> str:
    return _text(trend_figures(rounds, fw, lang), width, lang)


def _fenced(chart: Chart, lang: str) -> str:
    """A chart as text in a fenced block of the Markdown ('' for one the text leaves to its table)."""
    drawn = _text(chart, CHART_WIDTH, lang)
    return md.fence(drawn) if drawn else ""


def _text(chart: Chart, width: int, lang: str) -> str:
    from kompass_tui.exchange import charts

    return charts.text(chart, width, lang) or ""


def profile_figures(ev: Evaluation, fw: Framework, lang: str) -> Profile:
    """The area profile; an area not wholly scored is marked † (its bar is what is scored so far)."""
    scores = scoring.area_scores(ev, fw)
    unfinished = scoring.unfinished_areas(ev, fw) - {a for a, s in scores.items() if s is None}  # (– says the rest)
    return Profile(
        t(lang, "profile"),
        tuple(f"{a.id} {a.short(lang)}{' ' + PARTIAL if a.id in unfinished else ''}" for a in fw.areas),
        tuple(scoring.area_score(ev, a) for a in fw.areas),
        _area_maximum(fw),
    )


def grouped_figures(table: Comparison, lang: str) -> Grouped:
    """Per area, each municipality's bar, then the references (named so: tables.reference_short)."""
    ids = [row.area.id for row in table.rows]
    series = [
        Series(name, tuple(row.values[i] for row in table.rows), tuple(table.partial(i, a) for a in ids))
        for i, name in enumerate(comparison.names(table.evaluations))
    ]
    series += [
        Series(
            tables.reference_short(ref, lang),
            tuple(ref.values.get(a) for a in ids),
            tuple(ref.partial(a) for a in ids),
            reference=True,
        )
        for ref in table.references
    ]
    return Grouped(
        t(lang, "comparison"),
        tuple(f"{row.area.id} {row.area.name(lang)}" for row in table.rows),
        tuple(series),
        _area_maximum(table.framework),
    )


def change_figures(ev: Evaluation, before: Evaluation, fw: Framework, lang: str) -> ChangeBars:
    """Each area's change since the previous round (None where either round has no score)."""
    delta = comparison.change(ev, before, fw)
    return ChangeBars(
        t(lang, "change_since", year=before.year),
        tuple(f"{a.id} {a.short(lang)}" for a in fw.areas),
        tuple(delta.areas[a.id] for a in fw.areas),
    )


def trend_figures(rounds: Sequence[Evaluation], fw: Framework, lang: str) -> Trend:
    """The total across the rounds, oldest first. A round of another version of the framework
    (rounds from Bench.related(versions=True)) shows its total only, marked ‡ and named under the
    chart: its areas are not those of fw."""
    other = sorted({r.framework for r in rounds if r.framework != fw.id})
    totals = [_total(r, fw) for r in rounds]
    return Trend(
        t(lang, "trend"),
        tuple(
            (f"{r.year}{OTHER_VERSION if r.framework != fw.id else ''}", total)
            for r, total in zip(rounds, totals, strict=True)
        ),
        max([fw.maximum, *totals]),
        rounds[-1].municipality,
        tuple(
            bool(scoring.unfinished_areas(r, fw))
            if r.framework == fw.id
            else any(a.score is None for a in r.areas.values())
            for r in rounds
        ),
        t(lang, "other_version_note", mark=OTHER_VERSION, ids=", ".join(other)) if other else "",
    )


OTHER_VERSION = "‡"  # a round of another version of the framework, in a trend of totals


def _total(ev: Evaluation, fw: Framework) -> Decimal:
    """ev's total: by fw, or (another version's round, its area scores from the index) their sum."""
    if ev.framework == fw.id:
        return scoring.total(ev, fw)
    return sum((a.score for a in ev.areas.values() if a.score is not None), Decimal(0))


def _area_maximum(fw: Framework) -> Decimal:
    return max(a.maximum for a in fw.areas)


def _change_section(ev: Evaluation, before: Evaluation, fw: Framework, lang: str) -> list[str]:
    *areas, total = tables.change_rows(ev, before, fw, lang, long_names=True)
    rows = [[md.cell(label), *figures] for label, *figures in areas] + [[f"**{text}**" for text in total]]
    return [
        f"## {t(lang, 'change_since', year=before.year)}",
        md.table([t(lang, "area"), str(before.year), str(ev.year), t(lang, "change")], rows, "lrrr"),
    ]


def _head(ev: Evaluation, fw: Framework, lang: str) -> str:
    facts = [(t(lang, "framework"), md.inline(fw.name(lang)))]
    if ev.evaluators:
        facts.append((t(lang, "evaluators"), md.inline(", ".join(ev.evaluators))))
    if ev.dates:
        facts.append((t(lang, "dates"), md.inline(ev.dates)))
    done = scoring.progress(ev, fw)
    total = fmt(scoring.total(ev, fw), lang)
    if ev.area_level:
        result = t(lang, "result_line_areas", total=total, max=fmt(fw.maximum, lang))
    else:
        result = t(lang, "result_line", total=total, max=fmt(fw.maximum, lang), scored=done.scored, count=done.count)
    facts.append((t(lang, "result"), result))
    if ev.reference:
        facts.append((t(lang, "ref_head"), t(lang, "ref_fact")))
    lines = [f"# {md.inline(fw.name(lang))}: {md.inline(ev.title)}", ""]
    lines += [f"- **{label}:** {value}" for label, value in facts]
    note = fw.note(lang)
    if note:
        lines += ["", f"*{md.inline(note)}*"]
    return "\n".join(lines)


def _area_table(ev: Evaluation, fw: Framework, lang: str) -> str:
    """Tabell 1: each area's points, and the total; a figure of what is not wholly scored shows how
    much of it is ("43,5 (3/6)")."""

    def figure(value: Decimal | None, done: scoring.Progress) -> str:
        if value is None or done.scored == done.count:
            return fmt(value, lang)
        return f"{fmt(value, lang)} ({done})"

    rows = [
        [
            md.cell(f"{a.id} {a.name(lang)}"),
            figure(scoring.area_score(ev, a), scoring.area_progress(ev, a)),
            fmt(a.maximum, lang),
        ]
        for a in fw.areas
    ]
    total = figure(scoring.total(ev, fw), scoring.progress(ev, fw))
    rows.append([f"**{t(lang, 'total')}**", f"**{total}**", f"**{fmt(fw.maximum, lang)}**"])
    return md.table([t(lang, "area"), t(lang, "points"), t(lang, "max")], rows, "lrr")


def _area_section(ev: Evaluation, fw: Framework, area: Area, lang: str, sole: str | None) -> list[str]:
    entry = ev.area(area.id)
    score = scoring.area_score(ev, area)
    key = "area_heading" if score is not None else "area_heading_unscored"
    title = t(lang, key, id=area.id, name=area.name(lang), score=fmt(score, lang), max=fmt(area.maximum, lang))
    heading = f"## {md.inline(title)}"
    parts = [heading]
    if ev.area_level:
        if not (entry.strengths or entry.improvements):
            return []
    else:
        rows = [
            [md.cell(f"{q.id} {q.text(lang)}"), fmt(scoring.question_score(ev, q.id), lang), fmt(q.maximum, lang)]
            for q in area.questions
        ]
        parts.append(md.table([t(lang, "question"), t(lang, "points"), t(lang, "max")], rows, "lrr"))
    for kind in AREA_TEXTS:
        text = getattr(entry, kind)
        if text:
            parts += [f"**{t(lang, kind)}**", md.blocks(text)]
    notes = []
    for q in area.questions:
        note, sources = consensus.agreed_note(ev.answer(q.id), sole)
        if note:
            notes.append(f"- {q.id}{_sources(sources, lang)}: {md.inline(' '.join(note.split()))}")
    if notes:
        parts += [f"**{t(lang, 'notes')}**", "\n".join(notes)]
    return parts


def plan_document(ev: Evaluation, fw: Framework, lang: str, today: str = "") -> str:
    """The action plan alone, for the municipality's own follow-up: a title block (municipality,
    year, framework, how the actions stand), then each area's table as the report has it."""
    lines = [f"# {md.inline(t(lang, 'action_plan'))}: {md.inline(ev.title)}", ""]
    lines.append(f"- **{t(lang, 'framework')}:** {md.inline(fw.name(lang))}")
    if ev.dates:
        lines.append(f"- **{t(lang, 'dates')}:** {md.inline(ev.dates)}")
    lines.append(f"- **{t(lang, 'actions')}:** {md.inline(plans.tally_text(tally(ev.plan(), today), lang))}")
    return "\n\n".join(["\n".join(lines), *plan_tables(ev, fw, lang, today, "##")]) + "\n"


def plan_tables(ev: Evaluation, fw: Framework, lang: str, today: str, level: str) -> list[str]:
    """Per area with actions, a heading (at level: ## or ###) and the table of its actions, in the
    framework's order; actions of an area the framework does not have (any more) last."""
    parts = []
    known = {area.id for area in fw.areas}
    groups = [(f"{area.id} {area.name(lang)}", ev.plan(area.id)) for area in fw.areas]
    strays = dict.fromkeys(a.area for a in ev.plan() if a.area not in known)
    groups += [(t(lang, "followup_area", id=area_id), ev.plan(area_id)) for area_id in strays]
    for heading, actions in groups:
        if actions:
            parts += [f"{level} {md.inline(heading)}", plan_table(ev, actions, lang, today)]
    return parts


def plan_table(ev: Evaluation, actions: Iterable[Action], lang: str, today: str = "") -> str:
    """The actions as rows: id, title (its description under it, and the improvement area it is
    on), owner, due date, status (overdue marked against today). All user text escaped."""
    rows = [
        [md.cell(a.id), _action_cell(ev, a, lang), md.cell(a.owner), md.cell(a.due), _status_cell(a, lang, today)]
        for a in actions
    ]
    header = [t(lang, "action"), t(lang, "plan_title"), t(lang, "owner"), t(lang, "due"), t(lang, "status")]
    return md.table(header, rows, "lllll")


def _action_cell(ev: Evaluation, action: Action, lang: str) -> str:
    lines = [md.cell(action.title)]
    if action.description.strip():
        lines.append(md.cell(action.description))
    improvement = plans.improvement_of(ev, action)
    if improvement:
        lines.append(f"*{t(lang, 'improvement_area')} {action.improvement}: {md.inline(improvement)}*")
    return "<br>".join(lines)


def _status_cell(action: Action, lang: str, today: str) -> str:
    word = f"{plans.STATUS_MARKS[action.status]} {plans.status_word(action.status, lang)}"
    return f"{word} **({t(lang, 'overdue')})**" if today and action.overdue(today) else word


def followup_section(followup: Followup, lang: str, today: str = "") -> list[str]:
    """The follow-up of the previous round's action plan: per area the change since then (where
    the rounds share the framework) beside how far its actions came, then each area's actions."""
    before = followup.previous
    parts = [f"## {t(lang, 'followup', year=before.year)}"]
    if not followup.paired:
        parts.append(
            md.inline(t(lang, "followup_other_framework", year=before.year, framework=followup.framework.name(lang)))
        )
    items = [item for item in followup.areas if item.actions or (followup.paired and item.change is not None)]
    header = [t(lang, "area"), t(lang, "actions")]
    if followup.paired:
        header.insert(1, md.inline(t(lang, "change_since", year=before.year)))

    def row(label: str, change: str, actions: str) -> list[str]:
        return [label, change, actions] if followup.paired else [label, actions]

    rows = [
        row(
            md.cell(f"{item.area.id} {item.area.name(lang)}"),
            comparison.signed(item.change, lang),
            md.inline(plans.tally_text(item.tally, lang)),
        )
        for item in items
    ]
    everything = followup.tally
    rows.append(
        [
            f"**{text}**" if text else ""
            for text in row(t(lang, "total"), "", md.inline(plans.tally_text(everything, lang)))
        ]
    )
    parts.append(md.table(header, rows, "lrl" if followup.paired else "ll"))
    for item in items:
        if item.actions:
            heading = f"{t(lang, 'followup_area', id=item.area.id)} {item.area.name(lang)}"
            parts += [f"### {md.inline(heading)}", plan_table(before, item.actions, lang, today)]
    return parts


def _working_papers(ev: Evaluation, fw: Framework, lang: str) -> list[str]:
    """The team's own material, after the municipality's document: every evaluator's notes, the
    disagreements and how they were settled, and every evaluator's scores beside the consensus."""
    parts = [f"## {t(lang, 'working_papers')}"]
    notes = [
        f"- {q.id} {md.inline(name)}{_sources(entry.sources, lang)}: {md.inline(' '.join(entry.note.split()))}"
        for q in fw.questions
        for name, entry in ev.answer(q.id).entries.items()
        if entry.note
    ]
    if notes:
        parts += [f"### {t(lang, 'evaluator_notes')}", "\n".join(notes)]
    if ev.other_versions:  # what a merge found different in another copy, kept apart
        parts.append(f"### {t(lang, 'other_versions')}")
        for where, source, text in ev.other_versions:
            parts += [f"**{md.inline(where)}** ({md.inline(source)})", md.blocks(text)]
    names = consensus.evaluators(ev)
    found = consensus.disagreements(ev, fw)
    if found:
        rows = [
            [
                md.cell(f"{d.question.id} {d.question.text(lang)}"),
                *(fmt(d.scores.get(n), lang) for n in names),
                fmt(d.consensus, lang, t(lang, "undecided")),
            ]
            for d in found
        ]
        header = [t(lang, "question"), *(md.cell(n) for n in names), t(lang, "consensus")]
        parts += [f"### {t(lang, 'disagreements_settled')}", md.table(header, rows, "l" + "r" * (len(names) + 1))]
    if len(names) < 2:
        return parts
    rows = [
        [
            md.cell(q.id),
            *(fmt(ev.answer(q.id).entry(n).score, lang) for n in names),
            fmt(ev.answer(q.id).score, lang),
            fmt(scoring.question_score(ev, q.id), lang),
        ]
        for q in fw.questions
    ]
    header = [t(lang, "question"), *(md.cell(n) for n in names), t(lang, "consensus"), t(lang, "points")]
    return [*parts, f"### {t(lang, 'appendix')}", md.table(header, rows, "l" + "r" * (len(names) + 2))]


def _sources(sources: tuple[str, ...], lang: str) -> str:
    return f" ({', '.join(t(lang, s) for s in sources)})" if sources else ""


def comparison_table(table: Comparison, lang: str) -> str:
    """Areas as rows, one column per evaluation and the group average, the totals and ranks last;
    the best value of each row in bold; (+n) the change since that municipality's previous round.
    References in columns of their own after the average, headed "Reference: …", and after the
    rank the block "Difference from …" (tables.grid)."""
    names = comparison.names(table.evaluations)
    refs = [md.cell(tables.reference_label(ref, lang)) for ref in table.references]
    header = [t(lang, "criterion"), *(md.cell(n) for n in names), t(lang, "average"), *refs]

    def figure(c: tables.GridCell) -> str:
        return f"**{c.text}**" if c.best else f"{c.text} {PARTIAL}" if c.partial else c.text

    rows = [
        [
            f"**{md.inline(row.label)}**" if row.kind in ("total", "heading") else md.cell(row.label),
            *(figure(c) for c in row.cells),
            row.average,
            *(figure(c) for c in row.references),
        ]
        for row in tables.grid(table, lang)
    ]
    text = md.table(header, rows, "l" + "r" * (len(names) + 1 + len(refs)))
    return text + "\n\n" + tables.notes(table, lang, "best_note", md.inline)
