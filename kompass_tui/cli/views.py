"""Rich renderables for the CLI's tables: plain functions from the core's data to rich objects.

User text (names, notes, framework texts, messages with file names) is shown through
sanitize.visible and never as markup; SafeConsole is the console that prints them."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.padding import Padding
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from kompass_tui.core import scoring
from kompass_tui.core.framework import Framework
from kompass_tui.core.model import Evaluation
from kompass_tui.core.points import fmt
from kompass_tui.core.sanitize import one_line, visible
from kompass_tui.i18n import t
from kompass_tui.service import Row

if TYPE_CHECKING:
    from kompass_tui.core.comparison import Comparison
    from kompass_tui.core.consensus import Disagreement


class SafeConsole(Console):
    """A console for user text: no markup ([/] and [link=…] print as typed), no :emoji: codes, no
    highlighting, and, as a last guard, no control character in any text it writes (the views
    already show user text through sanitize.visible; only Rich's own styling codes are written)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **kwargs)

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:  # rich 14–15
        return super()._render_buffer(
            segment if segment.control else Segment(visible(segment.text), segment.style) for segment in buffer
        )


NAME_COLUMN = 40  # columns of a municipality's name in the list; the id beside it is always whole


def evaluations_table(rows: list[Row], lang: str, width: int = 80) -> list[tuple[str, str]]:
    """Every evaluation on a line of fixed-width columns, ids whole (scripts read them from a pipe)
    and never wrapped or cut by the terminal's width: (line, style) pairs, the header first, user
    text already made visible. Plain lines, not a rich Table or Text: 14,500 rows are laid out in
    a few tens of milliseconds and written as they are (print_lines). The columns are two spaces
    apart, or one where that fits the width and two would not."""
    columns = [
        (t(lang, name), align)
        for name, align in (
            ("id", "<"),
            ("municipality", "<"),
            ("year", ">"),
            ("framework", "<"),
            ("progress", ">"),
            ("total", ">"),
        )
    ]
    areas_only, reference = t(lang, "level_areas"), t(lang, "ref_word")
    totals: dict[object, str] = {}  # each total worked out once (14,500 rows hold a few thousand)
    table: list[list[str]] = [[title for title, _ in columns]]
    errors: dict[int, str] = {}  # line number: the error, shown after the id
    for row in rows:
        if row.error:
            errors[len(table)] = one_line(row.error)
            table.append([row.id])
            continue
        progress = (
            reference
            if row.reference
            else areas_only
            if row.area_level
            else (f"{row.scored}/{row.countable}" if row.countable else "?")
        )
        total = totals.get(row.total)
        if total is None:
            total = totals[row.total] = fmt(row.total, lang)
        name = one_line(row.municipality, NAME_COLUMN)
        table.append([row.id, name, str(row.year), one_line(row.framework), progress, total])
    whole = [cells for n, cells in enumerate(table) if n not in errors] if errors else table
    widths = [max(map(_width, column)) for column in zip(*whole, strict=True)]
    aligns = [align == "<" for _, align in columns]
    gap = "  " if sum(widths) + 2 * (len(widths) - 1) <= width else " "
    plain = gap.join(f"{{:{'<' if left else '>'}{width}}}" for width, left in zip(widths, aligns, strict=True))
    out = []
    for n, cells in enumerate(table):
        if n in errors:
            out.append((f"{cells[0]:<{widths[0]}}{gap}{errors[n]}", "red"))
            continue
        if "".join(cells).isascii():  # one column a character: formatted in one call
            out.append((plain.format(*cells).rstrip(), "bold" if n == 0 else ""))
            continue
        padded = [  # str.ljust counts characters: widen by what wide or combining letters take more or less
            (cell.ljust if left else cell.rjust)(width if cell.isascii() else width + len(cell) - cell_len(cell))
            for cell, width, left in zip(cells, widths, aligns, strict=True)
        ]
        out.append((gap.join(padded).rstrip(), "bold" if n == 0 else ""))
    return out


class ProgressBar:
    """How far long work has come, as a bar on standard error (rich's), shown only for work of
    PROGRESS_FROM items or more and taken away when done or stopped (ctrl+c)."""

    PROGRESS_FROM = 1000

    def __init__(self) -> None:
        self._progress: Any = None
        self._task: Any = None
        self._what = ""

    def __call__(self, what: str, done: int, total: int) -> None:
        if total < self.PROGRESS_FROM:
            return
        if self._progress is None:
            import atexit

            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(file=sys.__stderr__),  # our own escapes (no user text): past the guard on stderr
                transient=True,
            )
            self._progress.start()
            atexit.register(self.stop)  # an interrupted command leaves no bar (nor a hidden cursor)
        if what != self._what:
            if self._task is not None:
                self._progress.remove_task(self._task)
            self._task, self._what = self._progress.add_task(what, total=total), what
        self._progress.update(self._task, completed=done)
        if done >= total:
            self.stop()

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress, self._task, self._what = None, None, ""


class Lines:
    """Lines already made safe and laid out, printed as they are: rich neither wraps nor measures
    them (a Text of thousands of lines costs a third of a second to wrap)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for text in self.lines:
            yield Segment(text)
            yield Segment.line()


def _width(text: str) -> int:
    """Columns text takes: its length where it is ASCII (ids, years, figures: most cells)."""
    return len(text) if text.isascii() else cell_len(text)


def print_parts(console: Console, parts: Iterable[RenderableType]) -> None:
    """A view's parts one after the other; Lines written as they are (print_lines)."""
    for part in parts:
        if isinstance(part, Lines):
            print_lines(console, [(line, "") for line in part.lines])
        else:
            console.print(part)


def print_lines(console: Console, lines: list[tuple[str, str]]) -> None:
    """Lines already made safe (visible escapes), written as they are; only the few with a style
    go through rich, and only where it shows styles (a terminal with colour)."""
    styled = console.is_terminal and not console.no_color
    write = console.file.write
    for text, style in lines:
        if style and styled:
            console.print(Text(text, style=style, no_wrap=True, overflow="ignore"), soft_wrap=True)
        else:
            write(text + "\n")


def evaluation_view(ev: Evaluation, fw: Framework, lang: str, questions: bool) -> list[RenderableType]:
    done = scoring.progress(ev, fw)
    head = Text()
    head.append(one_line(ev.title), style="bold")
    head.append(f"  {ev.id}\n")
    head.append(f"{t(lang, 'framework')}: {one_line(fw.name(lang))}")
    if ev.evaluators:
        head.append(f" · {t(lang, 'evaluators')}: {', '.join(one_line(e) for e in ev.evaluators)}")
    if ev.dates:
        head.append(f" · {t(lang, 'dates')}: {one_line(ev.dates)}")
    if ev.area_level:
        head.append(f"\n{t(lang, 'area_level_note')}")
    if ev.reference:
        head.append(f"\n{t(lang, 'ref_head')}: {t(lang, 'ref_fact')}")
    undecided = scoring.undecided(ev)
    if undecided:
        head.append(f"\n{t(lang, 'to_decide_cli', n=len(undecided), id=ev.id)}", style="bold")
    if ev.plan():
        from kompass_tui.core.actions import tally
        from kompass_tui.exchange.plans import tally_text
        from kompass_tui.service.bench import today

        head.append(
            f"\n{t(lang, 'action_plan')}: {tally_text(tally(ev.plan(), today()), lang)} (kompass actions {ev.id})"
        )
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column(t(lang, "area"))
    table.add_column(t(lang, "points"), justify="right")
    table.add_column(t(lang, "max"), justify="right")
    if not ev.area_level:
        table.add_column(t(lang, "progress"), justify="right")
    for area in fw.areas:
        cells = [
            f"{area.id} {one_line(area.name(lang))}",
            fmt(scoring.area_score(ev, area), lang),
            fmt(area.maximum, lang),
        ]
        table.add_row(*cells, *([str(scoring.area_progress(ev, area))] if not ev.area_level else []))
        if questions and not ev.area_level:
            for q in area.questions:
                table.add_row(
                    Padding(Text(f"{q.id} {one_line(q.text(lang))}", style="dim"), (0, 0, 0, 2)),  # wraps indented
                    fmt(scoring.question_score(ev, q.id), lang),
                    fmt(q.maximum, lang),
                    "",
                )
    total: list[RenderableType] = [
        Text(t(lang, "total"), style="bold"),
        Text(fmt(scoring.total(ev, fw), lang), style="bold"),
        fmt(fw.maximum, lang),
    ]
    table.add_row(*total, *([str(done)] if not ev.area_level else []), end_section=True)
    return [head, "", table]


def frameworks_table(frameworks: list[Framework], lang: str) -> Table:
    table = Table(box=None, pad_edge=False, header_style="bold")
    for key, right in (
        ("id", False),
        ("name", False),
        ("areas", True),
        ("questions", True),
        ("points", True),
        ("installed", False),
    ):
        table.add_column(t(lang, f"col_{key}"), justify="right" if right else "left", no_wrap=key == "id")
    for fw in frameworks:
        table.add_row(
            fw.id,
            one_line(fw.name(lang)),
            str(len(fw.areas)),
            str(len(fw.questions)) if not fw.areas_only else t(lang, "level_areas"),
            fmt(fw.maximum, lang),
            t(lang, f"origin_{fw.origin}"),
        )
    return table


def framework_view(fw: Framework, lang: str) -> list[RenderableType]:
    head = Text(
        f"{one_line(fw.name(lang))}  ({fw.id}, {t(lang, f'origin_{fw.origin}')}: {one_line(str(fw.path))})",
        style="bold",
    )
    note = visible(fw.note(lang))
    if fw.areas_only:
        head.append(f"\n{t(lang, 'framework_areas_only')}", style="")
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column(t(lang, "col_id"))
    table.add_column(t(lang, "area" if fw.areas_only else "question"))
    table.add_column(t(lang, "max"), justify="right")
    for area in fw.areas:
        table.add_row(
            Text(area.id, style="bold"),
            Text(one_line(area.name(lang)), style="bold"),
            Text(fmt(area.maximum, lang), style="bold"),
        )
        for q in area.questions:
            table.add_row(q.id, one_line(q.text(lang)), fmt(q.maximum, lang))
            guidance = q.guidance(lang)
            if guidance:
                table.add_row("", Text(visible(guidance), style="dim italic"), "")
    return [head, *([Text(note, style="italic")] if note else []), "", table]


def comparison_view(table: Comparison, lang: str, width: int = 100) -> list[RenderableType]:
    """The comparison as a rich table: best of each row in bold with a *, average, total, rank.
    More evaluations than fit side by side are listed one per row instead, by rank."""
    from kompass_tui.core import comparison
    from kompass_tui.exchange import tables

    names = [one_line(n) for n in comparison.names(table.evaluations)]
    columns = len(names) + len(table.references) + 1  # the municipalities, the references, the average
    if len(names) > tables.WIDE or 18 + 10 * columns > width:  # too many, or too narrow a terminal
        return _comparison_by_rows(table, names, lang)
    heads = [
        t(lang, "criterion"),
        *(f"{one_line(ev.municipality)}\n{ev.year}" for ev in table.evaluations),  # as narrow as the name
        t(lang, "average"),
        # the references apart, after the average: Reference / Sverigesnitt / 2020
        *("\n".join(map(one_line, tables.reference_head(ref, lang))) for ref in table.references),
    ]
    grid_rows = tables.grid(table, lang)

    def cells(row: tables.GridRow) -> list[Text]:
        return [
            Text(one_line(row.label), style="bold" if row.kind == "total" else ""),
            *(Text(c.text + c.mark, style="bold" if c.best else "") for c in row.cells),
            Text(row.average + " " if row.average else "", style="italic"),
            *(Text(c.text + c.mark) for c in row.references),
        ]

    main = [cells(row) for row in grid_rows if row.kind in ("area", "total", "rank")]
    block = [cells(row)[: 1 + len(names)] for row in grid_rows if row.kind == "difference"]
    # Every column as wide as the widest it holds in either block, so the block of differences
    # (a table of its own, under its heading) lines up with the comparison above it.
    widths = [max(cell_len(line) for line in head.split("\n")) for head in heads]
    for line in [*main, *block]:
        for n, text in enumerate(line):
            widths[n] = max(widths[n], text.cell_len)

    def grid_of(lines: list[list[Text]], header: bool) -> Table:
        grid = Table(box=None, pad_edge=False, header_style="bold", show_header=header)
        for n, head in enumerate(heads[: len(lines[0])]):
            grid.add_column(head, justify="left" if n == 0 else "right", width=widths[n])
        for line in lines:
            grid.add_row(*line)
        return grid

    parts: list[RenderableType] = [grid_of(main, True)]
    heading = next((row.label for row in grid_rows if row.kind == "heading"), None)
    if heading is not None:  # each one's difference from the first reference, apart: (+n) keeps its one meaning
        parts += ["", Text(one_line(heading), style="bold"), grid_of(block, False)]
    return [*parts, "", Text(visible(tables.notes(table, lang, "best_note_cli")), style="dim")]


def _comparison_by_rows(table: Comparison, names: list[str], lang: str) -> list[RenderableType]:
    """One evaluation per row (by rank), areas as columns, the average last; * the best per column.
    Plain fixed-width text: it can be hundreds of rows, and rich's table layout is slow at that."""
    from kompass_tui.exchange import tables

    def cell(c: tables.GridCell, width: int = 5) -> str:
        return f"{c.text}{c.mark}".rjust(width)

    rows, average = tables.ranked(table, lang)
    apart, heading, differences = tables.ranked_apart(table, lang)
    everything = [*rows, average, *apart, *differences]
    # Each column as wide as what it holds, so that eight areas and a name fit 80 columns (a
    # reference's 63,45 or a difference of +12,25 widens only its own column).
    name_width = max(_width(t(lang, "municipality")), *(_width(one_line(row.name)) for row in everything))
    rank_width = max(len(row.rank) for row in everything)
    change_width = max(1, *(len(row.change) for row in everything))
    total_width = max(len(t(lang, "total")), *(len(cell(row.total, 1)) for row in everything))
    widths = [
        max(5, len(r.area.id) + 1, *(len(cell(row.cells[n], 1)) for row in everything))
        for n, r in enumerate(table.rows)
    ]
    head = [
        f"{'#':>{rank_width}}",
        f"{t(lang, 'municipality'):<{name_width}}",
        *(f"{r.area.id:>{width - 1}} " for r, width in zip(table.rows, widths, strict=True)),
    ]
    lines = [" ".join([*head, f"{t(lang, 'total'):>{total_width}}", f"{'±':>{change_width}}"]).rstrip()]
    first_apart, first_difference = apart[0] if apart else None, differences[0] if differences else None
    for row in everything:
        if row is first_apart:
            lines.append("")  # the references apart, after the average
        if row is first_difference:
            lines += ["", one_line(heading)]  # then each one's difference from the first reference
        figures = [*(cell(c, width) for c, width in zip(row.cells, widths, strict=True)), cell(row.total, total_width)]
        name = one_line(row.name)
        lines.append(
            " ".join(
                [
                    f"{row.rank:>{rank_width}}",
                    name + " " * (name_width - _width(name)),
                    *figures,
                    f"{row.change:>{change_width}}",
                ]
            ).rstrip()
        )
    key = " · ".join(f"{row.area.id} {one_line(row.area.short(lang))}" for row in table.rows)
    notes = f"{key}. # {t(lang, 'rank').lower()}; ± {t(lang, 'change_short')}; {t(lang, 'best_note_column')}"
    notes = " ".join([notes, *tables.reference_notes(table, lang)])
    return [Lines(lines), "", Text(visible(notes), style="dim")]


NOTE_PREVIEW = 2000  # characters of each note beside the others (the whole note: kompass export)


def disagreements_view(ev: Evaluation, fw: Framework, found: list[Disagreement], lang: str) -> list[RenderableType]:
    """Where the evaluators differ, largest spread first: each one's score and note side by side."""
    from kompass_tui.core import consensus

    names = consensus.evaluators(ev)
    grid = Table(box=None, pad_edge=False, header_style="bold")
    grid.add_column(t(lang, "question"))
    grid.add_column(t(lang, "spread"), justify="right")
    for name in names:
        grid.add_column(one_line(name), justify="right")
    grid.add_column(t(lang, "consensus"), justify="right")
    notes = Text()
    for d in found:
        grid.add_row(
            f"{d.question.id} {one_line(d.question.text(lang))}",
            fmt(d.spread, lang),
            *(fmt(d.scores.get(n), lang) for n in names),
            fmt(d.consensus, lang),
        )
        for name in names:
            if d.notes.get(name):
                notes.append(f"{d.question.id} {one_line(name)}: ", style="bold")
                notes.append(one_line(d.notes[name], NOTE_PREVIEW) + "\n")
    return [
        Text(f"{one_line(ev.title)}: {t(lang, 'disagreements_count', n=len(found))}", style="bold"),
        "",
        grid,
        "",
        notes,
    ]
