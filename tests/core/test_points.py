from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kompass_tui.core.points import check_points, fmt, parse_number, to_decimal, to_json
from kompass_tui.errors import ScoreError


@pytest.mark.parametrize("text, expected", [("9,5", "9.5"), ("9.5", "9.5"), (" 10 ", "10"), ("0", "0"), ("0,0", "0")])
def test_parse_number_accepts_comma_and_point(text, expected):
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "NaN", "nan", "inf", "-Infinity", "", "  ", "9,5,5", "1e"])
def test_parse_number_refuses_non_numbers(text):
    with pytest.raises(ScoreError, match="not a number"):
        parse_number(text)


@pytest.mark.parametrize("value", ["-1", "101", "9.25", "0.1", "100.5"])
def test_check_points_refuses_out_of_range_and_non_half(value):
    with pytest.raises(ScoreError) as caught:
        check_points(Decimal(value), Decimal(100), "question 1.1")
    assert "give 0 to 100 in steps of 0.5" in str(caught.value)
    assert "question 1.1" in str(caught.value)


def test_check_points_normalises():
    assert str(check_points(Decimal("9.50"), Decimal(10), "q")) == "9.5"
    assert str(check_points(Decimal("10.0"), Decimal(10), "q")) == "10"


def test_fmt_uses_decimal_comma_in_swedish_only():
    assert fmt(Decimal("76.5"), "sv") == "76,5"
    assert fmt(Decimal("76.5"), "en") == "76.5"
    assert fmt(Decimal("639.0"), "sv") == "639"
    assert fmt(None, "sv") == "–"


def test_json_numbers_round_trip_exactly():
    assert to_json(Decimal("9.5")) == 9.5 and to_json(Decimal("34")) == 34
    assert isinstance(to_json(Decimal("34.0")), int)
    assert to_decimal(9.5) == Decimal("9.5") and to_decimal(34) == Decimal(34)
    with pytest.raises(ScoreError):
        to_decimal(True)


halves = st.integers(min_value=0, max_value=2000).map(lambda n: Decimal(n) / 2)


@given(halves, st.sampled_from(["sv", "en"]))
def test_formatted_points_parse_back(value, lang):
    assert parse_number(fmt(value, lang)) == value
