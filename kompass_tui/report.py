"""The Markdown report in the shape of a Kommunkompassen report: model in, text out, nothing else.

Title and facts, summary, the area table with the total ("Tabell 1"), per area its sub-question
table with strengths and improvement areas, the closing challenges, and optionally the
comparison with other municipalities (areas as rows, municipalities as columns, totals last).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from kompass_tui import markdown as md
from kompass_tui import scoring
from kompass_tui.criteria import Framework
from kompass_tui.errors import InputError
from kompass_tui.i18n import t
from kompass_tui.model import Evaluation
from kompass_tui.points import fmt


def render(ev: Evaluation, fw: Framework, lang: str, compare: Sequence[Evaluation] = ()) -> str:
    parts = [_head(ev, fw, lang)]
    if ev.summary:
        parts += [f"## {t(lang, 'summary')}", md.blocks(ev.summary)]
    parts += [f"## {md.inline(t(lang, 'table1', title=ev.title, framework=fw.name(lang)))}", _area_table(ev, fw, lang)]
    for area in fw.areas:
        parts += _area_section(ev, fw, area, lang)
    if ev.challenges:
        parts += [f"## {t(lang, 'challenges')}", md.blocks(ev.challenges)]
    if compare:
        parts += [f"## {t(lang, 'comparison')}", comparison_table([ev, *compare], fw, lang)]
    return "\n\n".join(p for p in parts if p) + "\n"


def _head(ev: Evaluation, fw: Framework, lang: str) -> str:
    facts = [(t(lang, "framework"), md.inline(fw.name(lang)))]
    if ev.evaluators:
        facts.append((t(lang, "evaluators"), md.inline(", ".join(ev.evaluators))))
    if ev.start or ev.end:
        dates = " – ".join(d for d in (ev.start, ev.end) if d)
        facts.append((t(lang, "dates"), md.inline(dates)))
    done = scoring.progress(ev, fw)
    total = fmt(scoring.total(ev, fw), lang)
    if ev.area_level:
        result = t(lang, "result_line_areas", total=total, max=fmt(fw.maximum, lang))
    else:
        result = t(lang, "result_line", total=total, max=fmt(fw.maximum, lang), scored=done.scored, count=done.count)
    facts.append((t(lang, "result"), result))
    lines = [f"# {md.inline(fw.name(lang))}: {md.inline(ev.title)}", ""]
    lines += [f"- **{label}:** {value}" for label, value in facts]
    note = fw.note(lang)
    if note:
        lines += ["", f"*{md.inline(note)}*"]
    return "\n".join(lines)


def _area_table(ev: Evaluation, fw: Framework, lang: str) -> str:
    rows = [
        [md.cell(f"{a.id} {a.name(lang)}"), fmt(scoring.area_score(ev, a), lang), fmt(a.maximum, lang)]
        for a in fw.areas
    ]
    rows.append([f"**{t(lang, 'total')}**", f"**{fmt(scoring.total(ev, fw), lang)}**", f"**{fmt(fw.maximum, lang)}**"])
    return md.table([t(lang, "area"), t(lang, "points"), t(lang, "max")], rows, "lrr")


def _area_section(ev: Evaluation, fw: Framework, area, lang: str) -> list[str]:
    entry = ev.area(area.id)
    score = fmt(scoring.area_score(ev, area), lang, t(lang, "not_scored"))
    heading = f"## {md.inline(t(lang, 'area_heading', id=area.id, name=area.name(lang), score=score, max=fmt(area.maximum, lang)))}"
    parts = [heading]
    if ev.area_level:
        if not (entry.strengths or entry.improvements):
            return []
    else:
        rows = [
            [md.cell(f"{q.id} {q.text(lang)}"), fmt(ev.answer(q.id).score, lang), fmt(q.maximum, lang)]
            for q in area.questions
        ]
        parts.append(md.table([t(lang, "question"), t(lang, "points"), t(lang, "max")], rows, "lrr"))
    for kind in ("strengths", "improvements"):
        text = getattr(entry, kind)
        if text:
            parts += [f"**{t(lang, kind)}**", md.blocks(text)]
    notes = [
        f"- {q.id}{_sources(ev.answer(q.id).sources, lang)}: {md.inline(' '.join(ev.answer(q.id).note.split()))}"
        for q in area.questions if ev.answer(q.id).note
    ]
    if notes:
        parts += [f"**{t(lang, 'notes')}**", "\n".join(notes)]
    return parts


def _sources(sources: tuple[str, ...], lang: str) -> str:
    return f" ({', '.join(t(lang, s) for s in sources)})" if sources else ""


def column_names(evaluations: Sequence[Evaluation]) -> list[str]:
    """Municipality names as column heads, with the year where a name appears twice."""
    names = [ev.municipality for ev in evaluations]
    return [ev.title if names.count(ev.municipality) > 1 else ev.municipality for ev in evaluations]


def check_comparable(evaluations: Sequence[Evaluation], fw: Framework) -> None:
    other = [ev for ev in evaluations if ev.framework != fw.id]
    if other:
        raise InputError(
            f"{other[0].id} uses framework {other[0].framework}, not {fw.id}; "
            "only evaluations of one framework can be compared"
        )


def comparison_table(evaluations: Sequence[Evaluation], fw: Framework, lang: str) -> str:
    """Areas as rows, one column per evaluation, the totals last (the seed's comparison table)."""
    check_comparable(evaluations, fw)
    header = [t(lang, "criterion"), *(md.cell(n) for n in column_names(evaluations))]
    rows = [[md.cell(f"{a.id} {a.short(lang)}"), *(fmt(scoring.area_score(ev, a), lang) for ev in evaluations)] for a in fw.areas]
    totals: list[Decimal] = [scoring.total(ev, fw) for ev in evaluations]
    rows.append([f"**{t(lang, 'total')}**", *(f"**{fmt(x, lang)}**" for x in totals)])
    return md.table(header, rows, "l" + "r" * len(evaluations))
