"""The action plan as CSV, for the municipality's own follow-up in Excel, and back again.

One row per action, in the house dialect (csvfile): `;` and Swedish headers and status words in
Swedish (with a BOM, see formats), `,` and English ones otherwise. Reading takes either language's
headers and status words, `;`, `,` or tab, and Excel's quoting (doubled quotes, cells over several
lines). Text cells are defused against formulas (csvfile.defuse) and restored when read, so an
export reads back exactly.

    action;area;improvement;title;description;owner;due;status;comment

The comment column is empty in an export; a comment written into it is logged on import. A row
with an empty action id is a new action of its area. What a row means for the stored plan is the
service's business (Workbench.import_file): this module only reads and writes cells.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from kompass_tui.core.framework import Framework
from kompass_tui.core.model import Action, Evaluation
from kompass_tui.errors import InputError
from kompass_tui.exchange.csvfile import DELIMITERS, FIELD_LIMIT, defuse, numbered_rows, restore
from kompass_tui.exchange.plans import status_word

COLUMNS = ("action", "area", "improvement", "title", "description", "owner", "due", "status", "comment")
HEADERS_SV = {
    "action": "åtgärd",
    "area": "område",
    "improvement": "utvecklingsområde",
    "title": "rubrik",
    "description": "beskrivning",
    "owner": "ansvarig",
    "due": "klart senast",
    "status": "status",
    "comment": "kommentar",
}
# What a column may be called: either language's header, and the spellings without å, ä, ö.
ALIASES = {
    **{column: column for column in COLUMNS},
    **{sv: column for column, sv in HEADERS_SV.items()},
    "atgard": "action",
    "omrade": "area",
    "utvecklingsomrade": "improvement",
    "förbättringsområde": "improvement",
    "forbattringsomrade": "improvement",
    "titel": "title",
    "due date": "due",
    "klart": "due",
    "slutdatum": "due",
}
HEADER_LOOK = 2000  # characters of a file that tell whether it is an action plan
_LINE_END = re.compile(r"[\r\n]")


@dataclass(frozen=True)
class ActionRow:
    """One row as read. A text is None where its column is not in the file (the field stays as it
    is); improvement is None where the column is not there, 0 where the cell is empty (tied to no
    improvement area)."""

    line: int
    action: str  # the id (2.a), '' for a new action
    area: str
    improvement: int | None
    title: str | None
    description: str | None
    owner: str | None
    due: str | None
    status: str | None
    comment: str


def _key(name: str) -> str:
    return ALIASES.get(" ".join(name.split()).casefold(), name.strip())


def _first_line(text: str) -> str:
    """The header: up to the first line end (\n, \r\n or \r alone, as old Mac Excel ends lines)."""
    return _LINE_END.split(text, maxsplit=1)[0]


def _cells(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def holds_actions(text: str) -> bool:
    """Whether a CSV text is an action plan: its header starts with action (or åtgärd)."""
    header = _first_line(text[:HEADER_LOOK].lstrip("\ufeff"))  # (not the whole first line of a JSON file)
    return any(_key(next(iter(_cells(header, d)), "")) == "action" for d in DELIMITERS)


def ordered(ev: Evaluation, fw: Framework) -> list[Action]:
    """The live actions area by area in the framework's order (each area's in the order added);
    those of an area the framework no longer has last."""
    order = {area.id: n for n, area in enumerate(fw.areas)}
    return sorted(ev.plan(), key=lambda a: order.get(a.area, len(order)))


def write(ev: Evaluation, fw: Framework, lang: str) -> str:
    """The action plan as CSV in lang's dialect; every text cell defused."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if lang == "sv" else ",", lineterminator="\n")
    writer.writerow([HEADERS_SV[c] if lang == "sv" else c for c in COLUMNS])
    for a in ordered(ev, fw):
        writer.writerow(
            [
                defuse(a.id),
                defuse(a.area),
                "" if a.improvement is None else str(a.improvement),
                defuse(a.title),
                defuse(a.description),
                defuse(a.owner),
                defuse(a.due),
                status_word(a.status, lang),
                "",
            ]
        )
    return out.getvalue()


def read(text: str, name: str) -> list[ActionRow]:
    """The rows of an action-plan CSV; InputError naming the file and the line of what is wrong."""
    try:
        return _read(text.lstrip("\ufeff"), name)
    except csv.Error as exc:
        line = f"line {exc.line}: " if hasattr(exc, "line") else ""
        raise InputError(
            f"{name}: {line}not a CSV file Kompass can read ({exc}); a cell holds at most {FIELD_LIMIT:,} characters",
            sv=f"{name}: {line.replace('line', 'rad')}ingen CSV-fil som Kompass kan läsa ({exc})",
        ) from None


def _dialect(text: str, name: str) -> tuple[str, list[str]]:
    """The delimiter that splits the header into the most columns, action first."""
    header_line = _first_line(text)
    best: tuple[str, list[str]] | None = None
    for delimiter in DELIMITERS:
        fields = [_key(f) for f in _cells(header_line, delimiter)]
        if fields[:1] == ["action"] and (best is None or len(fields) > len(best[1])):
            best = (delimiter, fields)
    if best is None:
        raise InputError(
            f"{name}: line 1: expected a header starting with action (or åtgärd), found {header_line[:60]!r}",
            sv=f"{name}: rad 1: väntade en rubrikrad som börjar med åtgärd (eller action), fann {header_line[:60]!r}",
        )
    delimiter, header = best
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise InputError(
            f"{name}: line 1: unknown column {unknown[0]!r}; the columns are {delimiter.join(COLUMNS)}",
            sv=f"{name}: rad 1: okänd kolumn {unknown[0]!r}; kolumnerna är {delimiter.join(HEADERS_SV.values())}",
        )
    twice = sorted({h for h in header if header.count(h) > 1})
    if twice:
        raise InputError(
            f"{name}: line 1: the column {twice[0]!r} appears twice",
            sv=f"{name}: rad 1: kolumnen {twice[0]!r} finns två gånger",
        )
    return delimiter, header


def _read(text: str, name: str) -> list[ActionRow]:
    delimiter, header = _dialect(text, name)
    # newline=None: \n, \r\n and \r end a line; a quoted cell may span lines (Excel's Alt+Enter)
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
    next(reader, None)
    rows: list[ActionRow] = []
    first: dict[str, int] = {}  # the line of each id
    for cells in numbered_rows(reader):
        line = reader.line_num  # the line the row ends on
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < len(header) or any(c.strip() for c in cells[len(header) :]):
            raise InputError(
                f"{name}: line {line}: {len(cells)} columns, expected {len(header)} as in the header",
                sv=f"{name}: rad {line}: {len(cells)} kolumner, väntade {len(header)} som i rubrikraden",
            )
        row = _row(dict(zip(header, cells, strict=False)), name, line)
        if row.action and row.action in first:
            raise InputError(
                f"{name}: line {line}: action {row.action} is on line {first[row.action]} already",
                sv=f"{name}: rad {line}: åtgärd {row.action} står redan på rad {first[row.action]}",
            )
        first.setdefault(row.action, line)
        rows.append(row)
    return rows


def _row(cell: dict[str, str], name: str, line: int) -> ActionRow:
    def text(column: str) -> str | None:
        return restore(cell[column]) if column in cell else None

    return ActionRow(
        line=line,
        action=restore(cell["action"]).strip().lower(),
        area=restore(cell.get("area", "")).strip(),
        improvement=_improvement(cell["improvement"], name, line) if "improvement" in cell else None,
        title=text("title"),
        description=text("description"),
        owner=text("owner"),
        due=text("due"),
        status=text("status"),
        comment=(text("comment") or "").strip(),
    )


def _improvement(cell: str, name: str, line: int) -> int:
    """The number of the improvement area a row is on; 0 for an empty cell (none)."""
    value = restore(cell).strip()
    if not value:
        return 0
    if not value.isdigit() or not value.isascii():
        raise InputError(
            f"{name}: line {line}, column 'improvement': expected the number of an improvement area "
            f"such as 1, found {value!r}",
            sv=f"{name}: rad {line}, kolumn 'utvecklingsområde': väntade numret på ett utvecklingsområde "
            f"som 1, fann {value!r}",
        )
    return int(value)
