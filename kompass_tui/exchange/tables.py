"""The comparison and the change since the previous round as rows of text, in the user's
language, ready for any renderer: the terminal (cli.views), the app's DataTable and the Markdown
report. The numbers come from core.comparison; only the words and the layout are made here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kompass_tui.core import scoring
from kompass_tui.core.comparison import Comparison, Reference, cell, change, names, signed
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
    """One line of the comparison grid: kind is "area", "total" or "rank"; with references,
    "heading" (the label alone: the block of differences starts) and "difference". key: the area
    id or kind ("±" and "±1" … "±total" for the block of differences: no area id starts so)."""

    kind: str
    key: str
    label: str
    cells: tuple[GridCell, ...]
    average: str
    references: tuple[GridCell, ...] = ()  # the references' columns, after the average


def reference_name(ref: Reference, lang: str) -> str:
    """What a reference is called: its result's title (Sverigesnitt 2020), or for the mean of the
    database how many it is the mean of (Mean of 37 in the database, 2020–2022)."""
    if ref.evaluation is not None:
        return ref.evaluation.title
    if ref.years is not None:
        return t(lang, "ref_mean_in", n=ref.count, years=_years(ref.years))
    return t(lang, "ref_mean", n=ref.count)


def reference_label(ref: Reference, lang: str) -> str:
    """A reference's column head where there is room (the report): Reference: Sverigesnitt 2020."""
    return t(lang, "ref_label", name=reference_name(ref, lang))


def reference_short(ref: Reference, lang: str) -> str:
    """A reference's name beside a bar (charts cut names at 24 characters): Ref. Sverigesnitt 2020."""
    name = ref.evaluation.title if ref.evaluation is not None else t(lang, "ref_mean_head", n=ref.count)
    return t(lang, "ref_short", name=name)


def reference_head(ref: Reference, lang: str) -> tuple[str, str, str]:
    """A reference's column head in three short lines, for a narrow column (the terminal, the
    app): the word, the name, the year (Reference / Sverigesnitt / 2020; Reference / Mean of 37 /
    in the database)."""
    if ref.evaluation is not None:
        return t(lang, "ref_head"), ref.evaluation.municipality, str(ref.evaluation.year)
    where = _years(ref.years) if ref.years is not None else t(lang, "ref_mean_where")
    return t(lang, "ref_head"), t(lang, "ref_mean_head", n=ref.count), where


def _years(years: tuple[int, int]) -> str:
    return str(years[0]) if years[0] == years[1] else f"{years[0]}–{years[1]}"


def _reference_cell(ref: Reference, area_id: str | None, lang: str) -> GridCell:
    """A reference's figure of an area (None: the total): never the best, † where not whole."""
    value = ref.values.get(area_id) if area_id is not None else ref.total
    return GridCell(fmt(value, lang), partial=value is not None and ref.partial(area_id))


def _reference_cells(table: Comparison, lang: str, area_id: str | None) -> tuple[GridCell, ...]:
    return tuple(_reference_cell(ref, area_id, lang) for ref in table.references)


def _difference_cell(table: Comparison, i: int, area_id: str | None, lang: str) -> GridCell:
    """Evaluation i's difference from the first reference in an area (None: in total), signed;
    – where there is none (either not wholly scored)."""
    found = table.differences[i] if table.differences else None
    value = (found.areas.get(area_id) if area_id is not None else found.total) if found is not None else None
    shown = value is not None and table.include_partial and table.partial(i, area_id)
    return GridCell(signed(value, lang) or "–", partial=shown)


def grid(table: Comparison, lang: str) -> list[GridRow]:
    """The comparison as text, ready for any renderer (terminal, DataTable, Markdown): one row per
    area, the total, the rank; each cell with its change since the previous round and whether it
    is the best of its row. With references: their columns after the average (never the best,
    never ranked), and after the rank a block of rows headed "Difference from <the first>": each
    municipality's points minus the reference's per area and in total (+10, −3,5), so the (+n) in
    the cells above keeps its one meaning, the change since the previous round."""
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
                _reference_cells(table, lang, row.area.id),
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
            _reference_cells(table, lang, None),
        )
    )
    blank = tuple(GridCell("") for _ in table.references)
    rows.append(GridRow("rank", "rank", t(lang, "rank"), tuple(GridCell(_rank(r)) for r in table.ranks), "", blank))
    if table.references and table.evaluations:
        rows += _difference_rows(table, lang, blank)
    return rows


def _difference_rows(table: Comparison, lang: str, blank: tuple[GridCell, ...]) -> list[GridRow]:
    """The block of differences from the first reference: a heading, a row per area, the total."""
    name = reference_name(table.references[0], lang)
    nothing = tuple(GridCell("") for _ in table.evaluations)
    rows = [GridRow("heading", "±", t(lang, "ref_difference", name=name), nothing, "", blank)]
    count = range(len(table.evaluations))
    for row in table.rows:
        aid = row.area.id
        cells = tuple(_difference_cell(table, i, aid, lang) for i in count)
        rows.append(GridRow("difference", f"±{aid}", f"{aid} {row.area.short(lang)}", cells, "", blank))
    cells = tuple(_difference_cell(table, i, None, lang) for i in count)
    rows.append(GridRow("difference", "±total", t(lang, "total"), cells, "", blank))
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
    order = _by_rank(table, heads)
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
        for i in order
    ]
    average = RankedRow(
        "",
        t(lang, "average"),
        tuple(GridCell(fmt(r.average, lang)) for r in table.rows),
        GridCell(fmt(table.average_total, lang)),
        "",
    )
    return rows, average


def _by_rank(table: Comparison, heads: list[str]) -> list[int]:
    """The evaluations' places in the table, best rank first, those not ranked last."""
    return sorted(range(len(heads)), key=lambda i: (table.ranks[i] == 0, table.ranks[i], heads[i]))


def ranked_apart(table: Comparison, lang: str) -> tuple[list[RankedRow], str, list[RankedRow]]:
    """What ranked() leaves out where there are references: the references as rows (no rank, no
    best), the heading of the differences, and each evaluation's difference from the first
    reference by rank (per area, the total in the total's column). Nothing without references."""
    if not table.references:
        return [], "", []
    apart = [
        RankedRow(
            "",
            reference_short(ref, lang),  # (a name column: the notes say what a mean is of)
            tuple(_reference_cell(ref, r.area.id, lang) for r in table.rows),
            _reference_cell(ref, None, lang),
            "",
        )
        for ref in table.references
    ]
    if not table.evaluations:
        return apart, "", []
    heads = names(table.evaluations)
    differences = [
        RankedRow(
            _rank(table.ranks[i]),
            heads[i],
            tuple(_difference_cell(table, i, r.area.id, lang) for r in table.rows),
            _difference_cell(table, i, None, lang),
            "",
        )
        for i in _by_rank(table, heads)
    ]
    heading = t(lang, "ref_difference", name=reference_name(table.references[0], lang))
    return apart, heading, differences


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
    if table.has_partial or any(ref.partial() for ref in table.references):
        parts.append(t(lang, "partial_note_included" if table.include_partial else "partial_note"))
    return " ".join(parts + reference_notes(table, lang, name) + _plan_notes(table, lang, name))


def reference_notes(table: Comparison, lang: str, name: Callable[[str], str] = str) -> list[str]:
    """What the references are: set apart, what the differences are from, what a mean is of."""
    if not table.references:
        return []
    found = [t(lang, "ref_note")]
    if table.evaluations:
        found.append(t(lang, "ref_difference_note", name=name(reference_name(table.references[0], lang))))
    for ref in table.references:
        if ref.evaluation is None:
            years = t(lang, "ref_years", years=_years(ref.years)) if ref.years is not None else ""
            found.append(
                t(
                    lang,
                    "ref_mean_note",
                    name=name(reference_name(ref, lang)),
                    n=ref.count,
                    framework=name(table.framework.id),
                    years=years,
                )
            )
    return found


def _plan_notes(table: Comparison, lang: str, name: Callable[[str], str]) -> list[str]:
    """What became of each one's previous round's action plan: 'The 2003 action plan of Botkyrka:
    2 of 3 actions done (area 2: 1 of 2; area 7: 1 of 1).' (from the index: no file is read)."""
    from kompass_tui.core.actions import Tally
    from kompass_tui.exchange.plans import tally_text

    found = []
    for head, change_, plan in zip(names(table.evaluations), table.changes, table.followups, strict=False):
        if not plan or not change_:
            continue
        whole = sum(plan.values(), Tally())
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
