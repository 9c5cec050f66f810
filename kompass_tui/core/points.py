"""Points: exact half-point numbers, parsed from `9,5` or `9.5` and written back per language.

Scores are `Decimal`s, so sums of half points are exact (no float drift). A reference (a published
average, not a municipality) may hold up to two decimals instead (allowed_average).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from kompass_tui.errors import ScoreError

ZERO = Decimal(0)


def is_half_step(value: Decimal) -> bool:
    """True when value is a finite multiple of 0.5."""
    return value.is_finite() and (value * 2) == (value * 2).to_integral_value()


def to_decimal(value: object) -> Decimal:
    """A number from JSON/TOML (int, float or str) as an exact Decimal, or ScoreError."""
    if isinstance(value, bool):
        raise ScoreError(f"expected a number, found {value!r}")
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        return parse_number(value)
    raise ScoreError(f"expected a number, found {value!r}")


CLEAR_WORDS = ("-", "none", "ingen")  # what, typed as a score, takes the score back


def parse_entry(text: str) -> Decimal | None:
    """A score as typed (the CLI's VALUE, the walk-through's field): `9,5` or `9.5` -> Decimal,
    `-`, `none` or `ingen` -> None (take the score back). ScoreError for anything else, an empty
    text included. Whether it fits the sub-question is the edit's to check."""
    if text.strip().lower() in CLEAR_WORDS:
        return None
    try:
        return parse_number(text)
    except ScoreError as exc:
        raise ScoreError(
            f"{exc}; give points such as 9,5 or 9.5, or none to take the score back",
            exc.text,
            sv=f"{exc.text!r} är inget tal; ange poäng som 9,5 eller 9.5, eller ingen för att ta tillbaka poängen",
        ) from None


def parse_number(text: str) -> Decimal:
    """`9,5`, `9.5`, ` 10 ` -> Decimal. Anything else (letters, NaN, inf, empty) -> ScoreError."""
    cleaned = text.strip().replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ScoreError(f"{text.strip()!r} is not a number", text.strip()) from None
    if not value.is_finite():
        raise ScoreError(f"{text.strip()!r} is not a number", text.strip())
    return value


def allowed(value: Decimal, maximum: Decimal) -> bool:
    """True when value is a score a sub-question (or area) with this maximum takes: finite,
    0..maximum, in half points."""
    return ordinary(value) and 0 <= value <= maximum and is_half_step(value)


def check_points(value: Decimal, maximum: Decimal, what: str) -> Decimal:
    """Return value if it is 0..maximum in half points, else a ScoreError naming the range."""
    if not allowed(value, maximum):
        raise ScoreError(
            f"{what}: {fmt(value)} is not allowed; give 0 to {fmt(maximum)} in steps of 0.5 (9,5 and 9.5 both work)",
            fmt(value),
            sv=f"{what}: {fmt(value, 'sv')} är inte tillåtet; ange 0 till {fmt(maximum, 'sv')} i steg om 0,5 "
            "(9,5 och 9.5 går båda)",
        )
    return normal(value)


HUNDREDTH = Decimal("0.01")


def allowed_average(value: Decimal, maximum: Decimal) -> bool:
    """True when value is a score a reference (a published average, not a municipality) takes for
    a part with this maximum: finite, 0..maximum, at most two decimals (63,4 or 63,45)."""
    return ordinary(value) and 0 <= value <= maximum and value == value.quantize(HUNDREDTH)


def check_average(value: Decimal, maximum: Decimal, what: str) -> Decimal:
    """Return value if a reference may hold it (allowed_average), else a ScoreError naming the range."""
    if not allowed_average(value, maximum):
        raise ScoreError(
            f"{what}: {fmt(value)} is not allowed in a reference; give 0 to {fmt(maximum)} with at most two "
            "decimals (63,45 and 63.45 both work)",
            fmt(value),
            sv=f"{what}: {fmt(value, 'sv')} är inte tillåtet i en referens; ange 0 till {fmt(maximum, 'sv')} med "
            "högst två decimaler (63,45 och 63.45 går båda)",
        )
    return normal(value)


def ordinary(value: Decimal) -> bool:
    """False for what only a hand-edited file holds: NaN, infinity, or a number so large or so
    small (1e100000000) that writing out its digits would take forever. Such values are shown and
    kept as they are, never computed with."""
    return value.is_finite() and abs(value.adjusted()) <= 12


def normal(value: Decimal) -> Decimal:
    """The canonical form: 9.50 -> 9.5, 10.0 -> 10, -0 -> 0."""
    if not ordinary(value):
        return value
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


def fmt(value: Decimal | None, lang: str = "en", empty: str = "–") -> str:
    """76.5 -> '76,5' in Swedish, '76.5' in English; whole numbers without decimals."""
    if value is None:
        return empty
    if not ordinary(value):
        return str(value)
    text = format(value, "f")  # as format(normal(value), "f"), in a fraction of the time (29,000 cells a table)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    return text.replace(".", ",") if lang == "sv" else text


def to_json(value: Decimal | None) -> int | float | str | None:
    """A score as a JSON number: 34 or 9.5 (half points are exact in binary floating point; a
    reference's 63.45 reads back as written, since a float's repr is its shortest decimal). What
    only a hand-edited file holds is kept as it was read: NaN and infinity as JSON's NaN/Infinity,
    a number too large for a float as text."""
    if value is None:
        return None
    if not value.is_finite():
        return float(value)
    if not ordinary(value):
        return str(value)
    value = normal(value)
    return int(value) if value == value.to_integral_value() else float(value)
