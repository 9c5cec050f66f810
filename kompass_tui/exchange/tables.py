"""The comparison and the change since the previous round as rows of text, in the user's
language, ready for any renderer: the terminal (cli.views), the app's DataTable and the Markdown
report. The numbers come from core.comparison; only the words and the layout are made here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kompass_tui.core import scoring
from kompass_tui.core.comparison import Comparison, cell, change, names, signed
from kompass_tui.core.framework import Framework
from kompass_tui.core.model import Evaluation
from kompass_tui.core.points import fmt
from kompass_tui.exchange.charts import PARTIAL  # the mark of a figure not wholly scored (explained: notes)
from kompass_tui.i18n import t


@dataclass(frozen=True)
class GridCell:
    text: str
    best: bool = False
    partial: bool = False  # not wholly scored: left out of the best, averages, ranks and changes

    @property
    def mark(self) -> str:
        """One character after the figure: * the best of its row, † not wholly scored, else a space."""
        return "*" if self.best else PARTIAL if self.partial else " "


@dataclass(frozen=True)
class GridRow:
    """One line of the comparison grid: kind is "area", "total" or "rank"; key the area id or kind."""

    kind: str
    key: str
    label: str
    cells: tuple[GridCell, ...]
    average: str


def grid(table: Comparison, lang: str) -> list[GridRow]:
    """The comparison as text, ready for any renderer (terminal, DataTable, Markdown): one row per
    area, the total, the rank; each cell with its change since the previous round and whether it
    is the best of its row."""
    rows = []
    for row in table.rows:
        deltas = [c.areas[row.area.id] if c else None for c in table.changes]
        rows.append(
            GridRow(
                "area",
                row.area.id,
                f"{row.area.id} {row.area.short(lang)}",
                tuple(
                    GridCell(cell(v, d, lang), i in row.best, v is not None and table.partial(i, row.area.id))
                    for i, (v, d) in enumerate(zip(row.values, deltas, strict=True))
                ),
                fmt(row.average, lang),
            )
        )
    rows.append(
        GridRow(
            "total",
            "total",
            t(lang, "total"),
            tuple(
                GridCell(cell(v, c.total if c else None, lang), i in table.best_total, table.partial(i))
                for i, (v, c) in enumerate(zip(table.totals, table.changes, strict=True))
            ),
            fmt(table.average_total, lang),
        )
    )
    rows.append(GridRow("rank", "rank", t(lang, "rank"), tuple(GridCell(_rank(r)) for r in table.ranks), ""))
    return rows


@dataclass(frozen=True)
class RankedRow:
    """One evaluation in a large comparison, by rank: its area scores and total (each cell with
    whether it is the best of its column) and the change in total since its previous round."""

    rank: str
    name: str
    cells: tuple[GridCell, ...]
    total: GridCell
    change: str


WIDE = 8  # more evaluations than this are compared one per row (a group of hundreds), not as columns


def ranked(table: Comparison, lang: str) -> tuple[list[RankedRow], RankedRow]:
    """The comparison with evaluations as rows, best rank first, areas as columns; and the group
    average as a last row. For groups too large to set side by side (home's whole framework)."""
    heads = names(table.evaluations)
    rows = [
        RankedRow(
            _rank(table.ranks[i]),
            heads[i],
            tuple(
                GridCell(fmt(r.values[i], lang), i in r.best, r.values[i] is not None and table.partial(i, r.area.id))
                for r in table.rows
            ),
            GridCell(fmt(table.totals[i], lang), i in table.best_total, table.partial(i)),
            signed(table.changes[i].total, lang) if table.changes[i] else "",  # type: ignore[union-attr]
        )
        for i in sorted(range(len(heads)), key=lambda i: (table.ranks[i] == 0, table.ranks[i], heads[i]))
    ]
    average = RankedRow(
        "",
        t(lang, "average"),
        tuple(GridCell(fmt(r.average, lang)) for r in table.rows),
        GridCell(fmt(table.average_total, lang)),
        "",
    )
    return rows, average


def _rank(rank: int) -> str:
    return str(rank) if rank else "–"  # not ranked: not wholly scored


def change_rows(
    ev: Evaluation, before: Evaluation, fw: Framework, lang: str, long_names: bool = False
) -> list[tuple[str, ...]]:
    """(area, score before, score now, change) per area as text, the totals last."""
    delta = change(ev, before, fw)
    rows: list[tuple[str, ...]] = [
        (
            f"{a.id} {a.name(lang) if long_names else a.short(lang)}",
            fmt(scoring.area_score(before, a), lang),
            fmt(scoring.area_score(ev, a), lang),
            signed(delta.areas[a.id], lang) or "–",
        )
        for a in fw.areas
    ]
    rows.append(
        (
            t(lang, "total"),
            fmt(scoring.total(before, fw), lang),
            fmt(scoring.total(ev, fw), lang),
            signed(delta.total, lang) or "–",  # (not while either round is unfinished)
        )
    )
    return rows


def notes(table: Comparison, lang: str, best_key: str, name: Callable[[str], str] = str) -> str:
    """The line under the grid: how the best is marked, and which earlier rounds the changes are from."""
    parts = [t(lang, best_key)]
    if table.has_changes:
        parts.append(
            t(
                lang,
                "change_note",
                rounds=", ".join(
                    t(lang, "round_since", name=name(n), year=c.previous.year)
                    for n, c in zip(names(table.evaluations), table.changes, strict=True)
                    if c
                ),
            )
        )
    if table.has_partial:
        parts.append(t(lang, "partial_note_included" if table.include_partial else "partial_note"))
    return " ".join(parts + _plan_notes(table, lang, name))


def _plan_notes(table: Comparison, lang: str, name: Callable[[str], str]) -> list[str]:
    """What became of each one's previous round's action plan: 'The 2003 action plan of Botkyrka:
    2 of 3 actions done (area 2: 1 of 2; area 7: 1 of 1).' (from the index: no file is read)."""
    from kompass_tui.core.actions import Tally
    from kompass_tui.exchange.plans import tally_text

    found = []
    for head, change_, plan in zip(names(table.evaluations), table.changes, table.followups, strict=False):
        if not plan or not change_:
            continue
        whole = Tally(*(sum(getattr(t_, f) for t_ in plan.values()) for f in ("done", "open", "dropped")))
        areas = "; ".join(
            t(lang, "compare_plan_area", id=area, done=tally.done, n=tally.counted) for area, tally in plan.items()
        )
        found.append(
            t(
                lang,
                "compare_plan_note",
                year=change_.previous.year,
                name=name(head),
                tally=tally_text(whole, lang),
                areas=areas,
            )
        )
    return found
