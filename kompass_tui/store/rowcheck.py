"""What a row of the index must hold to be trusted: id and fingerprint (written by the store), and
the summary (written by the workbench's summarize) with each field of its type. A row of any other
shape means the index (or a part of it) is damaged, and it is rebuilt from the evaluation files."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from operator import itemgetter

from kompass_tui.store.files import ID_RE, Doc

_PLAIN_NUMBER = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,4})?")  # what Kompass writes: a quick yes for 14,500 rows


def _is_number(value: object) -> bool:
    """A score or total as the index keeps it: text of a number from 0 to less than 10^15 (sums of what
    points.ordinary allows; a row holding anything else was not written by Kompass)."""
    if not isinstance(value, str) or len(value) > 20:
        return False
    if _PLAIN_NUMBER.fullmatch(value):
        return True
    try:
        number = Decimal(value)
    except InvalidOperation:
        return False
    return number.is_finite() and 0 <= number < 10**15


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63


_PLAIN_NUMBERS = re.compile(rf"(?:{_PLAIN_NUMBER.pattern}\x00)*{_PLAIN_NUMBER.pattern}")


def _all_plain(values: Iterable[object]) -> bool | None:
    """True if every value (None aside) is a number as Kompass writes it, checked in one match; False
    if one is not text; None if they are texts that need the full check (_is_number)."""
    present = [v for v in values if v is not None]
    try:
        joined = "\x00".join(present)  # type: ignore[arg-type]
    except TypeError:  # a value that is not text
        return False
    if not present or (_PLAIN_NUMBERS.fullmatch(joined) and joined.count("\x00") == len(present) - 1):
        return True  # (no value hides a separator of its own)
    return None


def _is_areas(value: object) -> bool:
    if not isinstance(value, dict):
        return False
    plain = _all_plain(value.values())
    return plain if plain is not None else all(_is_number(v) for v in value.values() if v is not None)


# The index row: what the listing relies on (id and fingerprint, written here; the summary,
# written by the summarize callback of the workbench). A field of the wrong type means the index
# is damaged, and it is rebuilt from the evaluation files. Fields not named here are not checked.
ROW_FIELDS: dict[str, Callable[[object], bool]] = {
    "id": lambda v: isinstance(v, str) and ID_RE.fullmatch(v) is not None,
    "fp": lambda v: isinstance(v, list) and len(v) == 4 and all(_is_int(n) for n in v),
    "error": lambda v: isinstance(v, str),
    "municipality": lambda v: isinstance(v, str),
    "year": _is_int,
    "framework": lambda v: isinstance(v, str),
    "level": lambda v: isinstance(v, str),
    "created": lambda v: isinstance(v, str),
    "scored": _is_int,
    "count": lambda v: v is None or _is_int(v),
    "total": lambda v: v is None or _is_number(v),
    "maximum": lambda v: v is None or _is_number(v),
    "areas": lambda v: v is None or _is_areas(v),
    "unfinished": lambda v: isinstance(v, list) and all(isinstance(a, str) for a in v),
    "undecided": _is_int,
    "reference": lambda v: v is True,  # stored only when true
    "plan": lambda v: (
        isinstance(v, dict)
        and all(isinstance(c, list) and len(c) == 3 and all(_is_int(n) for n in c) for c in v.values())
    ),
}


_BOUND = 2**63


# The fields of a row as Kompass writes them, in its order: such a row (nearly every one) is taken
# apart in one call (USUAL_ROW) rather than field by field.
USUAL_FIELDS = (
    "municipality", "year", "framework", "level", "created", "scored", "count", "total", "maximum", "areas",
    "unfinished", "undecided", "summary", "framework_stamp", "id", "fp",
)  # fmt: skip
USUAL_ROW = itemgetter(*USUAL_FIELDS)


def _looks_right(row: Doc) -> bool:
    """Every field of ROW_FIELDS as Kompass writes it, checked in a few type tests and one match
    of all the numbers (14,500 rows a listing): True only where the full check agrees; False sends
    the row to the full check, which names what is wrong."""
    if len(row) != len(USUAL_FIELDS):
        return False
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
            fp,
        ) = USUAL_ROW(row)
    except KeyError:
        return False
    if type(eid) is not str or ID_RE.fullmatch(eid) is None:
        return False
    if not (type(fp) is list and len(fp) == 4 and all(type(n) is int and -_BOUND < n < _BOUND for n in fp)):
        return False
    if not (type(municipality) is str and type(framework) is str and type(level) is str and type(created) is str):
        return False
    if not (type(year) is int and type(scored) is int and -_BOUND < year < _BOUND and -_BOUND < scored < _BOUND):
        return False
    if count is not None and not (type(count) is int and -_BOUND < count < _BOUND):
        return False
    if not (type(undecided) is int and -_BOUND < undecided < _BOUND and type(unfinished) is list):
        return False
    if not all(type(a) is str for a in unfinished):
        return False
    if areas is None:
        return _all_plain((total, maximum)) is True
    return type(areas) is dict and _all_plain((total, maximum, *areas.values())) is True


def _index_problem(data: Doc) -> str | None:
    """What is wrong with the body of an index whose meta is Kompass's, or None."""
    rows = data.get("evaluations", {})
    if not isinstance(rows, dict):
        return "'evaluations' is not a table"
    for key, row in rows.items():
        if not isinstance(row, dict):
            return f"row {key} is not a table"
        if "id" not in row:
            return f"row {key} has no id"
        if _looks_right(row):
            continue
        for name, valid in ROW_FIELDS.items():
            if name in row and not valid(row[name]):
                return f"row {key}: field {name!r} holds {repr(row[name])[:40]}"
    return None
