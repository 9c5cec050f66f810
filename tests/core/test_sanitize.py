"""sanitize: how user text is shown (visible escapes) and kept (clean names and texts)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kompass_tui.core.sanitize import MAX_NAME, MAX_TEXT, clean_name, clean_text, is_safe, one_line, visible
from kompass_tui.errors import InputError


def test_controls_are_shown_as_visible_escapes():
    assert visible("Sala\x1b]52;c;aGk=\x07") == "Sala␛]52;c;aGk=␇"
    assert visible("a\x9b2J\x7f") == "a\\x9b2J␡"
    assert visible("Sala\u202eabc\u2066x\u200f") == "Sala\\u202eabc\\u2066x\\u200f"
    assert visible("x\U000e0041y\udcffz") == "x\\U000e0041y\\udcffz"
    assert visible("rad ett\n\trad två\r") == "rad ett\n\trad två␍"
    assert visible("rad\tett\n", lines=False) == "rad␉ett␊"
    assert one_line("  a\n b\x1b ") == "a b␛"
    assert one_line("x" * 50, 10) == "x" * 9 + "…"


@given(st.text())
def test_what_visible_shows_is_always_safe_and_never_shorter(text):
    shown = visible(text)
    assert is_safe(shown) and len(shown) >= len(text)
    assert is_safe(visible(text, lines=False), lines=False)
    assert visible(shown) == shown  # twice is once


@given(st.text(max_size=300))
def test_kept_names_and_texts_are_safe(text):
    try:
        name, _ = clean_name(text)
    except InputError:
        assert len(text) > MAX_NAME
    else:
        assert is_safe(name, lines=False) and len(name) <= MAX_NAME and name == name.strip()
    kept, _ = clean_text(text)
    assert is_safe(kept)


@pytest.mark.parametrize(
    "name, kept, removed",
    [
        ("Lund\u200b", "Lund", 1),  # zero-width space
        ("Lund\u034f", "Lund", 1),  # combining grapheme joiner
        ("Anna\ufe0f", "Anna", 1),  # variation selector
        ("Lund\u3164", "Lund", 1),  # Hangul filler: a letter drawn as nothing
        ("Lu\u00adnd", "Lund", 1),  # soft hyphen
        ("Bor\udcffås", "Borås", 1),  # a byte that was not UTF-8 on a command line
        ("  Upplands\tVäsby\n", "Upplands Väsby", 0),
        ("Va\u0308stera\u030as", "Västerås", 0),  # NFC
        ("Håbo", "Håbo", 0),
    ],
)
def test_names_that_look_alike_are_alike(name, kept, removed):
    assert clean_name(name) == (kept, removed)


def test_limits_are_one_line_refusals():
    with pytest.raises(InputError, match="at most 200 are allowed"):
        clean_name("Å" * (MAX_NAME + 1))
    with pytest.raises(InputError, match="at most 200 are allowed"):
        clean_name("x" * 10_000_000)  # refused before it is looked at letter by letter
    assert clean_text("n" * MAX_TEXT)[0] == "n" * MAX_TEXT
    with pytest.raises(InputError, match="100,001 characters long; Kompass keeps at most 100,000"):
        clean_text("n" * (MAX_TEXT + 1))


def test_texts_keep_lines_and_tabs_and_lose_the_rest():
    assert clean_text("Rad ett\r\nrad\ttvå\rtre\x1b[2J\u202e") == ("Rad ett\nrad\ttvå\ntre[2J", 2)
