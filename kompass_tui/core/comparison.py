"""Comparing evaluations: areas × municipalities, the best per row, the group average, ranks on
the total, and the change since a municipality's previous evaluation. Pure functions, exact sums.

References (results marked as a national or group average, and the mean of the database's wholly
scored evaluations: mean_of) are set apart from the municipalities: shown beside them, never
ranked, never the best, never in the group average; each municipality's difference from the first
reference is worked out per area and in total."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol, TypeVar

from kompass_tui.core import scoring
from kompass_tui.core.actions import Tally
from kompass_tui.core.framework import Area, Framework
from kompass_tui.core.model import Evaluation, name_key
from kompass_tui.core.points import fmt, normal
from kompass_tui.errors import InputError

TENTH = Decimal("0.1")


class Round(Protocol):
    """One evaluation of a municipality as far as rounds go: an Evaluation or an index row."""

    @property
    def id(self) -> str: ...
    @property
    def municipality(self) -> str: ...
    @property
    def framework(self) -> str: ...
    @property
    def year(self) -> int: ...
    @property
    def created(self) -> str: ...


This = TypeVar("This", bound=Round)
Other = TypeVar("Other", bound=Round)


def mean(values: Iterable[Decimal | None]) -> Decimal | None:
    """The average of the given values, to one decimal (halves up); None if there are none."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    return _tenth(sum(present, Decimal(0)), len(present))


def _tenth(total: Decimal, count: int) -> Decimal:
    """total / count to one decimal, halves up (exact: Decimal division to 28 digits, then rounded once)."""
    return normal((total / count).quantize(TENTH, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Reference:
    """A column set apart from the municipalities: a result marked as a reference (a published
    national or group average, such as Sverigesnitt), or the mean of the database's wholly scored
    evaluations of the framework (mean_of: evaluation None, count and years say of what)."""

    framework: str
    values: Mapping[str, Decimal | None]  # per area id
    total: Decimal | None
    evaluation: Evaluation | None = None  # the reference result; None: the mean of the database
    count: int = 0  # the mean of how many evaluations
    years: tuple[int, int] | None = None  # the mean of these years only (first, last)
    unfinished: frozenset[str] = frozenset()  # areas without a figure: marked, and no difference from them

    def partial(self, area_id: str | None = None) -> bool:
        return area_id in self.unfinished if area_id is not None else bool(self.unfinished)


@dataclass(frozen=True)
class Difference:
    """A municipality's points minus the first reference's, per area and in total: None where
    either is not wholly scored (unless include_partial), as for changes."""

    areas: dict[str, Decimal | None]
    total: Decimal | None


_YEARS = re.compile(r"\s*([0-9]{4})\s*(?:[-–]\s*([0-9]{4})\s*)?")


def average_spec(text: str) -> tuple[str, tuple[int, int] | None]:
    """What to take the mean of, as `--average-of` gives it: FRAMEWORK, or FRAMEWORK:YEARS where
    YEARS is a year (2021) or a span (2020-2022, 2020–2022): the framework id, and (first, last)
    or None for every year. InputError, in one line, for anything else."""
    from kompass_tui.core.model import MAX_YEAR, MIN_YEAR

    framework_id, colon, years_text = text.partition(":")
    framework_id = framework_id.strip()
    if not framework_id:
        raise InputError(
            f"--average-of {text!r}: give a framework id, such as kommunkompassen-2003 or kommunkompassen-2003:2003",
            sv=f"--average-of {text!r}: ange ett ramverks id, som kommunkompassen-2003 eller kommunkompassen-2003:2003",
        )
    if not colon:
        return framework_id, None
    found = _YEARS.fullmatch(years_text)
    first, last = (int(found.group(1)), int(found.group(2) or found.group(1))) if found else (0, 0)
    if not found or not MIN_YEAR <= first <= last <= MAX_YEAR:
        raise InputError(
            f"--average-of {text!r}: {years_text.strip()!r} is not a year or years; give them as 2021 or 2020-2022 "
            "(the first year first)",
            sv=f"--average-of {text!r}: {years_text.strip()!r} är inget år eller inga år; ange dem som 2021 eller "
            "2020-2022 (det första året först)",
        )
    return framework_id, (first, last)


def mean_of(
    scores: Iterable[Mapping[str, Decimal | None]], fw: Framework, years: tuple[int, int] | None = None
) -> Reference:
    """The mean of wholly scored evaluations (each given as its area scores; one without a figure
    for every area of fw is left out), per area and in total, each to one decimal (halves up) as
    the group average is; the total is the mean of the totals, not the sum of the rounded means."""
    ids = [a.id for a in fw.areas]
    sums = dict.fromkeys(ids, Decimal(0))
    count = 0
    for found in scores:
        figures = [v for v in (found.get(aid) for aid in ids) if v is not None]
        if len(figures) < len(ids):
            continue
        for aid, value in zip(ids, figures, strict=True):
            sums[aid] += value
        count += 1
    if not count:
        return Reference(fw.id, dict.fromkeys(ids), None, None, 0, years, frozenset(ids))
    values: dict[str, Decimal | None] = {aid: _tenth(sums[aid], count) for aid in ids}
    return Reference(fw.id, values, _tenth(sum(sums.values(), Decimal(0)), count), None, count, years)


@dataclass(frozen=True)
class Change:
    """What changed since the previous evaluation of the same municipality and framework: per area
    where both rounds scored it wholly, in total where both rounds are complete (None otherwise)."""

    previous: Evaluation
    areas: dict[str, Decimal | None]
    total: Decimal | None

    def __bool__(self) -> bool:
        """False where nothing could be compared (every figure unfinished in one round or the other)."""
        return self.total is not None or any(v is not None for v in self.areas.values())


@dataclass(frozen=True)
class AreaRow:
    area: Area
    values: tuple[Decimal | None, ...]
    best: frozenset[int]
    average: Decimal | None


@dataclass(frozen=True)
class Comparison:
    framework: Framework
    evaluations: tuple[Evaluation, ...]
    rows: tuple[AreaRow, ...]
    totals: tuple[Decimal, ...]
    best_total: frozenset[int]
    average_total: Decimal | None
    ranks: tuple[int, ...]  # 0: not ranked (an unfinished evaluation)
    changes: tuple[Change | None, ...]
    unfinished: tuple[frozenset[str], ...] = ()  # per evaluation, its areas not wholly scored
    include_partial: bool = False  # unfinished figures counted in ranks, averages and changes
    # per evaluation, its previous round's action plan by area (empty where it had none)
    followups: tuple[Mapping[str, Tally], ...] = ()
    references: tuple[Reference, ...] = ()  # shown apart: never ranked, the best, or in the average
    differences: tuple[Difference | None, ...] = ()  # per evaluation, from the first reference

    @property
    def has_changes(self) -> bool:
        return any(self.changes)

    def partial(self, i: int, area_id: str | None = None) -> bool:
        """Evaluation i (or its area) is not wholly scored: its figure is marked."""
        left = self.unfinished[i] if self.unfinished else frozenset()
        return area_id in left if area_id is not None else bool(left)

    @property
    def has_partial(self) -> bool:
        return any(self.unfinished)


def check_one_framework(evaluations: Sequence[Evaluation]) -> str:
    """The framework all evaluations share; InputError naming the first that differs."""
    first = evaluations[0]
    for ev in evaluations[1:]:
        if ev.framework != first.framework:
            raise InputError(
                f"{ev.id} uses framework {ev.framework} and {first.id} uses {first.framework}; "
                "only evaluations of one framework can be compared, as their areas and maxima differ",
                sv=f"{ev.id} använder ramverket {ev.framework} och {first.id} {first.framework}; bara "
                "utvärderingar med samma ramverk kan jämföras, eftersom deras områden och maxpoäng skiljer sig",
            )
    return first.framework


def check_mean_framework(framework_id: str, first: Evaluation) -> None:
    """A mean of the database (mean_of) is compared only with evaluations of its own framework."""
    if framework_id != first.framework:
        raise InputError(
            f"the mean of {framework_id} cannot be compared with {first.id}, which uses {first.framework}; "
            "only evaluations of one framework can be compared, as their areas and maxima differ",
            sv=f"medelvärdet av {framework_id} kan inte jämföras med {first.id}, som använder {first.framework}; "
            "bara utvärderingar med samma ramverk kan jämföras, eftersom deras områden och maxpoäng skiljer sig",
        )


def _best(values: Sequence[Decimal | None]) -> frozenset[int]:
    present = [v for v in values if v is not None]
    if len(present) < 2:
        return frozenset()
    top = max(present)
    return frozenset(i for i, v in enumerate(values) if v == top)


def chosen(listed: Mapping[str, str], marked: set[str], highlighted: str | None) -> list[str]:
    """What to compare, from the evaluations listed (id -> framework, in list order): the marked
    ones; with none marked, every one of the highlighted one's framework."""
    if marked:
        return [eid for eid in listed if eid in marked]
    if highlighted is None or highlighted not in listed:
        return []
    return [eid for eid, framework in listed.items() if framework == listed[highlighted]]


def round_key(ev: Round) -> tuple[str, str]:
    """What makes evaluations rounds of one another: the framework and the municipality (by its
    name, case and Unicode form aside: model.name_key; Håbo and Habo stay two). Works on
    evaluations and on the index's rows alike."""
    return ev.framework, name_key(ev.municipality)


def _when(ev: Round) -> tuple[int, str, str]:
    return ev.year, ev.created, ev.id


def _rounds_of(ev: Round, any_version: bool) -> Callable[[Round], bool]:
    """Which evaluations are rounds of ev: of its municipality and framework (round_key), or with
    any_version of its municipality in any version of the framework (for a trend of totals, and
    the round whose action plan ev follows up)."""
    if any_version:
        municipality = name_key(ev.municipality)
        return lambda c: name_key(c.municipality) == municipality
    key = round_key(ev)
    return lambda c: round_key(c) == key


def history(ev: This, candidates: Iterable[Other], any_version: bool = False) -> list[This | Other]:
    """Every evaluation of ev's municipality and framework (any_version: in any version of the
    framework; their areas differ, so only their totals compare), ev included, oldest first.
    Candidates may be evaluations or index rows."""
    same = _rounds_of(ev, any_version)
    found: dict[str, This | Other] = {c.id: c for c in candidates if same(c)}
    found[ev.id] = ev
    return sorted(found.values(), key=_when)


def previous(ev: Round, candidates: Iterable[Other], any_version: bool = False) -> Other | None:
    """The latest evaluation of the same municipality and framework (any_version: in any version)
    before ev, if any."""
    same, now = _rounds_of(ev, any_version), _when(ev)
    return max((c for c in candidates if same(c) and _when(c) < now), key=_when, default=None)


def change(
    ev: Evaluation,
    before: Evaluation,
    fw: Framework,
    now: Mapping[str, Decimal | None] | None = None,
    unfinished: Mapping[str, frozenset[str]] | None = None,
    include_partial: bool = False,
) -> Change:
    """What changed since before, per area and in total (now: ev's area scores, if at hand).
    An area counts where both rounds scored it wholly, the total where both are complete, unless
    include_partial. unfinished: the unfinished areas by evaluation id (scoring.unfinished_areas
    where an id is missing)."""
    now = scoring.area_scores(ev, fw) if now is None else now
    then = scoring.area_scores(before, fw)
    left = frozenset() if include_partial else _unfinished(ev, fw, unfinished) | _unfinished(before, fw, unfinished)
    areas, total = _differences(now, _sum(now), then, _sum(then), left, include_partial)
    return Change(before, areas, total)


def _differences(
    now: Mapping[str, Decimal | None],
    now_total: Decimal,
    then: Mapping[str, Decimal | None],
    then_total: Decimal | None,
    left: frozenset[str],
    include_partial: bool,
) -> tuple[dict[str, Decimal | None], Decimal | None]:
    """now minus then per area and in total: an area only where neither leaves it unfinished
    (left), the total only where nothing is left; everything with include_partial. The rule of
    changes since a previous round and of differences from a reference alike."""
    areas = {aid: _difference(now[aid], then.get(aid)) if include_partial or aid not in left else None for aid in now}
    return areas, _difference(now_total, then_total) if include_partial or not left else None


def _unfinished(ev: Evaluation, fw: Framework, known: Mapping[str, frozenset[str]] | None) -> frozenset[str]:
    found = known.get(ev.id) if known is not None else None
    return found if found is not None else scoring.unfinished_areas(ev, fw)


def _sum(scores: Mapping[str, Decimal | None]) -> Decimal:
    return normal(sum((s for s in scores.values() if s is not None), Decimal(0)))


def _difference(now: Decimal | None, then: Decimal | None) -> Decimal | None:
    return normal(now - then) if now is not None and then is not None else None


def compare(
    evaluations: Sequence[Evaluation],
    fw: Framework,
    previous_rounds: Mapping[str, Evaluation | None] | None = None,
    unfinished: Mapping[str, frozenset[str]] | None = None,
    include_partial: bool = False,
    previous_plans: Mapping[str, Mapping[str, Tally]] | None = None,
    references: Sequence[Reference] = (),
) -> Comparison:
    """The comparison table of evaluations of one framework; previous_rounds gives, per evaluation
    id, the municipality's previous evaluation (None or missing: there is none). Figures of what is
    not wholly scored (unfinished: areas by evaluation id, worked out where an id is missing) are
    shown but left out of the best, the averages, the ranks and the changes, unless include_partial.
    previous_plans: per evaluation id, its previous round's action plan tallied by area.

    Evaluations marked as references, and references (the mean of the database: mean_of), after
    them, are set apart (Comparison.references); each municipality's difference from the first is
    worked out per area and in total."""
    if not evaluations:
        raise InputError("nothing to compare; give two or more evaluation ids")
    if check_one_framework(evaluations) != fw.id:
        raise InputError(f"these evaluations use framework {evaluations[0].framework}, not {fw.id}")
    for extra in references:
        check_mean_framework(extra.framework, evaluations[0])
    marked = [ev for ev in evaluations if ev.reference]
    if marked:
        evaluations = [ev for ev in evaluations if not ev.reference]
    previous_rounds = previous_rounds or {}
    scores = [scoring.area_scores(ev, fw) for ev in evaluations]  # once each: 2,900 evaluations at a time
    left = tuple(_unfinished(ev, fw, unfinished) for ev in evaluations)

    def counted(values: Sequence[Decimal | None], area_id: str | None) -> list[Decimal | None]:
        """The values that count: those of what is wholly scored (all, with include_partial)."""
        if include_partial:
            return list(values)
        return [v if not (left[i] if area_id is None else area_id in left[i]) else None for i, v in enumerate(values)]

    rows = []
    for area in fw.areas:
        values = tuple(s[area.id] for s in scores)
        kept = counted(values, area.id)
        rows.append(AreaRow(area, values, _best(kept), mean(kept)))
    totals = tuple(_sum(s) for s in scores)
    kept_totals = counted(totals, None)
    ranked = scoring.ranks({i: v for i, v in enumerate(kept_totals) if v is not None})
    known = {**(unfinished or {}), **{ev.id: gone for ev, gone in zip(evaluations, left, strict=True)}}
    changes = []
    for ev, now in zip(evaluations, scores, strict=True):
        before = previous_rounds.get(ev.id)
        changes.append(change(ev, before, fw, now, known, include_partial) if before is not None else None)
    apart = (*(_as_reference(ev, fw, unfinished) for ev in marked), *references)
    return Comparison(
        fw,
        tuple(evaluations),
        tuple(rows),
        totals,
        _best(kept_totals),
        mean(kept_totals),
        tuple(ranked.get(i, 0) for i in range(len(totals))),
        tuple(changes),
        left,
        include_partial,
        tuple((previous_plans or {}).get(ev.id, {}) for ev in evaluations),
        apart,
        tuple(_difference_from(apart[0], s, totals[i], left[i], include_partial) for i, s in enumerate(scores))
        if apart
        else (),
    )


def _as_reference(ev: Evaluation, fw: Framework, unfinished: Mapping[str, frozenset[str]] | None) -> Reference:
    scores = scoring.area_scores(ev, fw)
    return Reference(fw.id, scores, _sum(scores), ev, unfinished=_unfinished(ev, fw, unfinished))


def _difference_from(
    reference: Reference,
    scores: Mapping[str, Decimal | None],
    total: Decimal,
    left: frozenset[str],
    include_partial: bool,
) -> Difference:
    """scores minus the reference's, where both are wholly scored (everywhere, with include_partial)."""
    areas, difference = _differences(
        scores, total, reference.values, reference.total, left | reference.unfinished, include_partial
    )
    return Difference(areas, difference)


def signed(value: Decimal | None, lang: str) -> str:
    """+5, −3,5 (a real minus sign), ±0; '' for None."""
    if value is None:
        return ""
    if value == 0:
        return "±0"
    return ("+" if value > 0 else "−") + fmt(abs(value), lang)


def cell(value: Decimal | None, delta: Decimal | None, lang: str) -> str:
    """A comparison cell: the value, and the change since the previous round in brackets."""
    return f"{fmt(value, lang)} ({signed(delta, lang)})" if delta is not None else fmt(value, lang)


def names(evaluations: Sequence[Evaluation]) -> list[str]:
    """Column heads: each municipality with its year ("Kalix 2003"), so a round of 2026 is never
    read as one beside rounds of 2003."""
    return [ev.title for ev in evaluations]
