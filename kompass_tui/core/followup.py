"""The follow-up at a re-evaluation: per area, the change since the previous round beside the
actions that round planned and how far they came ("Area 2: +6.5 since 2003 · 3 of 4 actions done").
Pure: the two evaluations and their frameworks in, the follow-up out.

Where the previous round used another version of the framework, its areas are not paired with the
new ones (their names and contents differ): the follow-up lists its actions under its own areas,
without a change.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kompass_tui.core import comparison
from kompass_tui.core.actions import Tally, tally
from kompass_tui.core.framework import Area, Framework
from kompass_tui.core.model import Action, Evaluation


@dataclass(frozen=True)
class AreaFollowup:
    area: Area  # the new round's area, or the previous round's where the frameworks differ
    change: Decimal | None  # since the previous round (None: not comparable, or not wholly scored)
    actions: tuple[Action, ...]  # the previous round's, for this area
    tally: Tally


@dataclass(frozen=True)
class Followup:
    evaluation: Evaluation
    previous: Evaluation
    framework: Framework  # the framework the areas are of: the new round's, or the previous round's
    paired: bool  # the same framework in both rounds: areas paired, changes shown
    areas: tuple[AreaFollowup, ...]

    @property
    def tally(self) -> Tally:
        """How the whole previous plan stands (overdue as of the day the follow-up was made for)."""
        return sum((item.tally for item in self.areas), Tally())

    def of(self, area_id: str) -> AreaFollowup | None:
        return next((item for item in self.areas if item.area.id == area_id), None) if self.paired else None


def followup(ev: Evaluation, fw: Framework, before: Evaluation, before_fw: Framework, today: str = "") -> Followup:
    """ev's follow-up of before's action plan. today (YYYY-MM-DD) marks the overdue ones."""
    paired = before.framework == ev.framework
    areas = fw.areas if paired else before_fw.areas
    changes = comparison.change(ev, before, fw).areas if paired else {}
    items = []
    for area in areas:
        planned = tuple(before.plan(area.id))
        items.append(AreaFollowup(area, changes.get(area.id), planned, tally(planned, today)))
    return Followup(ev, before, fw if paired else before_fw, paired, tuple(items))
