"""CSV in and out, as Swedish Excel writes it (`;`, decimal comma, BOM) and as everyone else does.

CSV carries the agreed view of an evaluation (the score that counts, the notes, the sources); JSON
carries everything, each evaluator's own entries included.

Two shapes, told apart by the header:
- area scores, one row per municipality:  municipality;year;1;2;…;8   (area ids as columns; a
  reference column, ja/yes/1/x, marks the rows that are national or group averages)
- sub-question scores, one row each:      question;score;note[;sources]
Swedish column names (kommun, år, referens, delfråga, poäng, anteckning, källor) work too.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from kompass_tui.core.framework import Framework
from kompass_tui.core.model import MAX_YEAR, MIN_YEAR, SOURCE_ALIASES, SOURCES, Evaluation, ordered_sources
from kompass_tui.core.points import fmt, parse_number
from kompass_tui.core.sanitize import MAX_TEXT, visible
from kompass_tui.core.scoring import effective
from kompass_tui.errors import InputError, ScoreError

if TYPE_CHECKING:
    from _csv import Reader

    from typing_extensions import TypeIs

ALIASES = {
    "municipality": "municipality",
    "kommun": "municipality",
    "year": "year",
    "år": "year",
    "ar": "year",
    "question": "question",
    "delfråga": "question",
    "delfraga": "question",
    "id": "question",
    "score": "score",
    "poäng": "score",
    "poang": "score",
    "note": "note",
    "anteckning": "note",
    "notering": "note",
    "sources": "sources",
    "källor": "sources",
    "kallor": "sources",
    "evidence": "sources",
    "reference": "reference",
    "referens": "reference",
}
# Headers and source words as a Swedish export writes them (reading takes either language).
HEADERS_SV = {
    "municipality": "kommun",
    "year": "år",
    "question": "delfråga",
    "score": "poäng",
    "note": "anteckning",
    "sources": "källor",
    "reference": "referens",
}
# A reference column's cells (a result that is a national or group average, not a municipality):
# yes or empty, in either language, as people type them in Excel.
YES = frozenset({"ja", "yes", "1", "x", "j", "y", "sant", "true"})
NO = frozenset({"", "nej", "no", "0", "n", "falskt", "false"})
YES_WORD = {"sv": "ja", "en": "yes"}
SOURCES_SV = {"interview": "intervju", "document": "dokument", "website": "webb"}
DELIMITERS = (";", ",", "\t")
# A cell Excel would read as a formula (OWASP "CSV injection"): written with a leading ' so Excel
# shows it as text; reading takes that ' off again, so Kompass's own exports round-trip exactly.
# A text that itself starts with ' and then one of these gets one ' more, for the same reason.
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")
FIELD_LIMIT = 1_000_000  # characters in one cell; notes are at most sanitize.MAX_TEXT anyway


def defuse(cell: str) -> str:
    """A text cell as written: shown as sanitize.visible shows it, and never a formula in Excel."""
    cell = visible(cell)
    return "'" + cell if _FORMULA.match(cell) else cell


def restore(cell: str) -> str:
    """A text cell as read: the ' that defuse() put before a formula-like text is taken off."""
    return cell[1:] if cell.startswith("'") and _FORMULA.match(cell) else cell


@dataclass(frozen=True)
class AreaRow:
    line: int
    municipality: str
    year: int
    scores: dict[str, Decimal | None]
    reference: bool = False  # a national or group average (the reference column), not a municipality


@dataclass(frozen=True)
class QuestionRow:
    line: int
    question: str
    score: Decimal | None
    note: str | None
    sources: tuple[str, ...] | None


def holds_areas(rows: list[AreaRow] | list[QuestionRow]) -> TypeIs[list[AreaRow]]:
    """Whether read() found area scores (one evaluation per row) rather than sub-question scores."""
    return isinstance(rows[0], AreaRow)


def _key(name: str) -> str:
    return ALIASES.get(name.strip().lower(), name.strip())


def _dialect(text: str, name: str) -> tuple[str, list[str]]:
    """Pick the delimiter by the header: the one that splits it into known column names."""
    header_line = text.splitlines()[0] if text.strip() else ""
    if not header_line.strip():
        raise InputError(
            f"{name}: the file is empty; expected a header such as municipality;year;1;2;… or question;score;note"
        )
    best = None
    for delimiter in DELIMITERS:
        fields = [_key(f) for f in next(csv.reader([header_line], delimiter=delimiter))]
        header_like = fields[0] in ("municipality", "question") and len(fields) > 1
        if header_like and (best is None or len(fields) > len(best[1])):
            best = (delimiter, fields)
    if best is None:
        raise InputError(
            f"{name}: line 1: expected a header starting with municipality and year (area scores) "
            f"or question and score (sub-question scores), separated by ; or , — found {header_line[:60]!r}"
        )
    return best


def _number(cell: str, name: str, line: int, column: str) -> Decimal | None:
    if not cell.strip():
        return None
    try:
        return parse_number(cell)
    except ScoreError:
        raise InputError(
            f"{name}: line {line}, column '{column}': expected a number such as 9,5, found {cell.strip()!r}"
        ) from None


def read(text: str, name: str) -> list[AreaRow] | list[QuestionRow]:
    """Parse a CSV text into area rows or question rows; InputError names the line and column."""
    try:
        return _read(text, name)
    except csv.Error as exc:
        line = f"line {exc.line}: " if hasattr(exc, "line") else ""
        raise InputError(
            f"{name}: {line}not a CSV file Kompass can read ({exc}); a cell holds at most {FIELD_LIMIT:,} characters"
        ) from None


def _read(text: str, name: str) -> list[AreaRow] | list[QuestionRow]:
    text = text.lstrip("\ufeff")
    delimiter, header = _dialect(text, name)
    # newline=None: line ends as \n, \r\n or \r alone (old Mac Excel) all end a line
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
    next(reader, None)
    wide = header[0] == "municipality"
    if wide and (len(header) < 3 or header[1] != "year"):
        raise InputError(
            f"{name}: line 1: expected municipality{delimiter}year{delimiter} then one column per area id, found {delimiter.join(header)!r}"
        )
    if not wide and "score" not in header and "note" not in header:
        raise InputError(
            f"{name}: line 1: expected question{delimiter}score{delimiter}note, found {delimiter.join(header)!r}"
        )
    if len(set(header)) != len(header):
        raise InputError(f"{name}: line 1: a column appears twice in {delimiter.join(header)!r}")
    areas: list[AreaRow] = []
    questions: list[QuestionRow] = []
    for cells in numbered_rows(reader):
        number = reader.line_num  # the line the row ends on: notes may span lines
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            hint = (
                " (a decimal comma in a comma-separated file must be quoted, or use ; between columns)"
                if delimiter == ","
                else ""
            )
            raise InputError(
                f"{name}: line {number}: {len(cells)} columns, expected {len(header)} as in the header{hint}"
            )
        cell = dict(zip(header, cells, strict=True))
        if wide:
            year_text = cell["year"].strip()
            if not year_text.isdigit() or not MIN_YEAR <= int(year_text) <= MAX_YEAR:
                raise InputError(
                    f"{name}: line {number}, column 'year': expected a year such as 2003, found {year_text!r}"
                )
            municipality = restore(cell["municipality"].strip())
            if not municipality:
                raise InputError(f"{name}: line {number}, column 'municipality': empty")
            scores = {col: _number(cell[col], name, number, col) for col in header[2:] if col != "reference"}
            reference = _yes(cell["reference"], name, number) if "reference" in cell else False
            areas.append(AreaRow(number, municipality, int(year_text), scores, reference))
        else:
            sources = None
            if "sources" in cell:
                sources = _sources(cell["sources"], name, number)
            questions.append(
                QuestionRow(
                    number,
                    cell["question"].strip(),
                    _number(cell.get("score", ""), name, number, "score"),
                    restore(cell["note"]) if "note" in cell else None,
                    sources,
                )
            )
    if not (areas or questions):
        raise InputError(f"{name}: no rows after the header")
    return areas if wide else questions


def _yes(cell: str, name: str, line: int) -> bool:
    """A reference column's cell: ja, yes, 1 or x is a reference; empty (or nej, no, 0) is not."""
    word = cell.strip().lower()
    if word in YES or word in NO:
        return word in YES
    raise InputError(
        f"{name}: line {line}, column 'reference': expected ja, yes, 1 or x (a reference) or nothing, found {word!r}",
        sv=f"{name}: rad {line}, kolumn 'referens': väntade ja, yes, 1 eller x (en referens) eller inget, fann {word!r}",
    )


def numbered_rows(reader: Reader) -> Iterator[list[str]]:
    """The reader's rows, with the line a csv.Error happened on (its own message does not say)."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            exc.line = reader.line_num  # type: ignore[attr-defined]
            raise


def _sources(cell: str, name: str, line: int) -> tuple[str, ...]:
    found = set()
    for word in re.split(r"[\s,|/+]+", cell.strip().lower()):
        if not word:
            continue
        if word not in SOURCE_ALIASES:
            raise InputError(
                f"{name}: line {line}, column 'sources': unknown source {word!r}; use {', '.join(SOURCES)}"
            )
        found.add(SOURCE_ALIASES[word])
    return ordered_sources(found)


def write(ev: Evaluation, fw: Framework, lang: str, report: Callable[[str], object] | None = None) -> str:
    """An evaluation as CSV: `;` and decimal comma in Swedish, `,` and point in English. A
    sub-question's notes share one cell, cut to what an import takes (MAX_TEXT); report says so."""
    delimiter = ";" if lang == "sv" else ","
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")

    def words(*names: str) -> list[str]:
        return [HEADERS_SV[name] if lang == "sv" else name for name in names]

    def sources_of(found: set[str]) -> str:
        return " ".join(SOURCES_SV[s] if lang == "sv" else s for s in ordered_sources(found))

    if ev.area_level:
        marked = [YES_WORD.get(lang, "yes")] if ev.reference else []  # (a municipality's file is as before)
        writer.writerow([*words("municipality", "year"), *words("reference")[: len(marked)], *[a.id for a in fw.areas]])
        writer.writerow(
            [defuse(ev.municipality), ev.year, *marked, *[fmt(ev.area(a.id).score, lang, "") for a in fw.areas]]
        )
    else:
        writer.writerow(words("question", "score", "note", "sources"))
        for q in fw.questions:
            answer = ev.answer(q.id)
            notes = [answer.note] if answer.note else []
            notes += [f"{name}: {e.note}" for name, e in answer.entries.items() if e.note]
            sources = set(answer.sources).union(*(e.sources for e in answer.entries.values()))
            note = visible("\n".join(notes))
            if len(note) > MAX_TEXT:
                note = note[:MAX_TEXT]
                if report is not None:
                    report(
                        f"{ev.id}: the notes of {q.id} come to more than {MAX_TEXT:,} characters together; "
                        f"the CSV holds the first {MAX_TEXT:,} (the JSON export holds them all)"
                    )
            writer.writerow([q.id, fmt(effective(answer), lang, ""), defuse(note), sources_of(sources)])
    return out.getvalue()
