"""The rows of the evaluation list: what the index keeps of each evaluation (summarize) and how
the service hands it on (Row), so a listing, a comparison or a trend opens no evaluation file."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from kompass_tui.core import model, scoring
from kompass_tui.core.framework import Framework
from kompass_tui.core.model import QUESTIONS, Evaluation
from kompass_tui.core.points import to_decimal
from kompass_tui.errors import KompassError
from kompass_tui.store import Doc
from kompass_tui.store.rowcheck import USUAL_FIELDS, USUAL_ROW

if TYPE_CHECKING:
    from kompass_tui.core.actions import Tally

_NEW = tuple.__new__

# What an index row holds; rows of an older kind are summarised again (2: scores that do not fit
# are not counted; 3: the areas not wholly scored, and the undecided sub-questions).
SUMMARY = 3


class Row(NamedTuple):
    """One evaluation as the list shows it (from the index, without opening its file). A named
    tuple, not a frozen dataclass: 14,500 of them are made per listing, three times faster."""

    id: str
    municipality: str = ""
    year: int = 0
    framework: str = ""
    level: str = QUESTIONS
    scored: int = 0
    countable: int | None = None  # what can be scored (sub-questions); scored of countable
    total: Decimal | None = None
    maximum: Decimal | None = None
    created: str = ""
    error: str = ""
    areas: dict[str, str | None] | None = None  # area scores as stored; None in an index from before they were kept
    unfinished: frozenset[str] = frozenset()  # areas not wholly scored (scoring.unfinished_areas)
    undecided: int = 0  # sub-questions where the evaluators differ and no consensus is set
    unfit: int = 0  # stored scores the framework does not allow (not counted; `kompass show` names them)
    plan: dict[str, list[int]] | None = None  # the action plan per area: [done, open, dropped]; None if none
    reference: bool = False  # a reference result (a published average, not a municipality)

    def plan_tallies(self) -> dict[str, Tally]:
        """The action plan's tally per area, as the index keeps it (for a comparison's follow-up)."""
        from kompass_tui.core.actions import Tally

        return {area: Tally(*counts) for area, counts in (self.plan or {}).items()}

    @property
    def area_level(self) -> bool:
        return self.level == model.AREAS

    def area_scores(self) -> Evaluation:
        """The evaluation as the index summarises it: its area scores, which is all a comparison,
        a change or a trend needs (so none of those reads the evaluation files)."""
        return Evaluation(
            id=self.id,
            municipality=self.municipality,
            year=self.year,
            framework=self.framework,
            level=model.AREAS,
            areas={a: model.AreaEntry(value) for a, value in self.scores().items()},
            created=self.created,
            reference=self.reference,
        )

    def scores(self) -> dict[str, Decimal | None]:
        """The area scores as numbers (empty in an index from before they were kept)."""
        return {a: _number(s) if s is not None else None for a, s in (self.areas or {}).items()}

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> Row:
        """A row of the index as stored (strings for points) as the service hands it on."""
        if len(raw) == len(USUAL_FIELDS):  # as Kompass writes it (nearly every row): taken apart in one call
            try:
                (
                    municipality,
                    year,
                    framework,
                    level,
                    created,
                    scored,
                    count,
                    total,
                    maximum,
                    areas,
                    unfinished,
                    undecided,
                    _,
                    _,
                    eid,
                    _,
                ) = USUAL_ROW(raw)
            except KeyError:
                pass
            else:
                # Every field in order, made as the tuple it is (the named tuple's own __new__, a
                # Python function filling in defaults, costs 14,500 rows a few milliseconds more).
                return _NEW(
                    cls,
                    (
                        eid,
                        municipality,
                        year,
                        framework,
                        level,
                        scored,
                        count,
                        _number(total) if total is not None else None,
                        _number(maximum) if maximum is not None else None,
                        created,
                        "",
                        areas,
                        _areas_of(tuple(unfinished)),
                        undecided,
                        0,  # unfit
                        None,  # plan
                        False,  # reference
                    ),
                )
        if raw.get("error"):
            return cls(id=raw["id"], error=raw["error"])
        total, areas, unfit = raw.get("total"), raw.get("areas"), raw.get("unfit", 0)
        return cls(
            id=raw["id"],
            municipality=raw.get("municipality", ""),
            year=raw.get("year", 0),
            framework=raw.get("framework", ""),
            level=raw.get("level", QUESTIONS),
            scored=raw.get("scored", 0),
            countable=raw.get("count"),
            total=_number(total) if total is not None else None,
            created=raw.get("created", ""),
            maximum=_number(raw["maximum"]) if raw.get("maximum") is not None else None,
            areas=areas if isinstance(areas, dict) else None,
            unfinished=_areas_of(tuple(raw.get("unfinished") or ())),
            undecided=raw.get("undecided") or 0,
            unfit=unfit if isinstance(unfit, int) else 0,
            plan=raw.get("plan") or None,
            reference=raw.get("reference") is True,
        )


@lru_cache(maxsize=1024)
def _areas_of(ids: tuple[str, ...]) -> frozenset[str]:
    """The unfinished areas of a row, as one shared set per distinct list (most rows: none)."""
    return frozenset(ids)


@lru_cache(maxsize=4096)
def _number(text: str) -> Decimal:
    """A total or maximum as the index keeps it (text), once per distinct text: 14,500 rows hold a
    few thousand totals and one or two maxima (Decimals are immutable, so they are shared)."""
    return to_decimal(text)


def summarize(doc: Doc, framework: Callable[[str], Framework], stamp: Callable[[str], str | None]) -> Doc:
    """What the index keeps of a stored evaluation: who and when, and (if its framework is
    installed) its progress, total, maximum and area scores, counted as `Bench.get` counts them."""
    ev = model.from_dict(doc)
    row = {
        "municipality": ev.municipality,
        "year": ev.year,
        "framework": ev.framework,
        "level": ev.level,
        "created": ev.created,
        **({"reference": True} if ev.reference else {}),  # (rows of municipalities keep the usual shape)
    }
    try:
        fw = framework(ev.framework)
    except KompassError:
        return row
    ev, problems = scoring.fitting(ev, fw)
    done = scoring.progress(ev, fw)
    areas = {a: (str(v) if v is not None else None) for a, v in scoring.area_scores(ev, fw).items()}
    return {
        **row,
        "scored": done.scored,
        "count": done.count,
        "total": str(scoring.total(ev, fw)),
        "maximum": str(fw.maximum),
        "areas": areas,
        "unfinished": sorted(scoring.unfinished_areas(ev, fw)),
        "undecided": len(scoring.undecided(ev)),
        "summary": SUMMARY,
        "framework_stamp": stamp(fw.id),
        **({"unfit": len(problems)} if problems else {}),
        **_plan(ev),  # (rows of evaluations without a plan keep the usual shape)
    }


def _plan(ev: Evaluation) -> dict[str, dict[str, list[int]]]:
    """{"plan": [done, open, dropped] per area} for an evaluation with an action plan, else {}."""
    from kompass_tui.core.actions import tally

    by_area: dict[str, list[model.Action]] = {}
    for action in ev.plan():
        by_area.setdefault(action.area, []).append(action)
    counts = {area: tally(planned) for area, planned in by_area.items()}
    return {"plan": {area: [c.done, c.open, c.dropped] for area, c in counts.items()}} if counts else {}
