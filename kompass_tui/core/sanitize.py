"""User text: safe to show, and clean when kept. Pure functions, the one home of both rules.

Text from users is hostile until shown safely: a municipality, an evaluator's name, a note, a
framework's texts or a file name may carry terminal escape sequences (`ESC ]52;…` writes the
clipboard, `ESC [2J` clears the screen), C1 controls (`\\x9b` acts as `ESC [`) or Unicode bidi
overrides (which make text read differently from what it is).

- `visible(text)` is how every user text is shown, in the app, the CLI (piped or not) and the
  reports: those characters become visible escapes (`␛`, `\\x9b`, `\\u202e`), never written raw.
  Newline and tab are kept (a multi-line note stays multi-line); `one_line` folds them too.
- `clean_name` and `clean_text` are what enters the database (from the CLI, the app, an import or
  a merge): names are NFC-normalised, lose every control and format character (bidi controls,
  zero-width and tag characters among them) and are at most MAX_NAME characters; notes and texts keep newlines and tabs, lose the other controls and are at
  most MAX_TEXT characters. Both say how many characters they removed.

Markup is a separate matter: user text is never passed through Rich or Textual markup at all
(the screens and the CLI render it as Text/Content), so `[/]` or `[link=…]` show as typed.
"""

from __future__ import annotations

import re
import unicodedata

from kompass_tui.errors import InputError

MAX_NAME = 200  # municipalities and evaluators: ids and file names are made from them
MAX_TEXT = 100_000  # a note, strengths, improvement areas, a summary, the closing challenges

_C0 = range(0x00, 0x20)
_DEL = 0x7F
_C1 = range(0x80, 0xA0)
# Unicode bidi embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI: the
# "Trojan Source" characters) and the bidi marks (LRM RLM ALM), which reorder what is around them.
BIDI = (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)
# Tag characters: invisible, and able to carry a hidden text ("ASCII smuggling").
_TAGS = range(0xE0000, 0xE0080)
# Lone surrogates: what Python makes of bytes that are not UTF-8 in a command line; they cannot be
# written as UTF-8 at all.
_SURROGATES = range(0xD800, 0xE000)
LINE_BREAKS = "\n\t"

# Control characters as Unicode's control pictures (one column each, so tables keep their shape),
# the others as their escape in Python's notation. Lone surrogates (2,048 code points, and rare: a
# command line's broken bytes) are not in the table, which every start builds, but found after.
_SHOWN: dict[int, str] = {
    **{c: chr(0x2400 + c) for c in _C0},
    _DEL: "\u2421",
    **{c: f"\\x{c:02x}" for c in _C1},
    **{c: f"\\u{c:04x}" for c in BIDI},
    **{c: f"\\U{c:08x}" for c in _TAGS},
}
_SHOWN_MULTILINE = {c: s for c, s in _SHOWN.items() if chr(c) not in LINE_BREAKS}
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
UNSAFE = frozenset([*_SHOWN, *_SURROGATES])  # every code point visible() shows as an escape
_UNSAFE_RE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff\U000e0000-\U000e007f]"
)
_UNSAFE_IN_TEXT = re.compile(  # the same but tab and newline
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff\U000e0000-\U000e007f]"
)
_BREAKS_RE = re.compile(r"[\t\n\r\u2028\u2029]")
MAX_RAW_NAME = 10 * MAX_NAME  # longer than this is refused before it is looked at character by character
# Unicode's default-ignorable code points (DerivedCoreProperties): drawn as nothing, so a name
# holding one looks like another that does not.
_IGNORABLE_RE = re.compile(
    r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    r"\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)


def visible(text: str, lines: bool = True) -> str:
    """text with every control, escape and bidi character shown as a visible escape: safe to
    write to any terminal. lines: keep newlines and tabs (else they are shown as ␊ and ␉)."""
    shown = text.translate(_SHOWN_MULTILINE if lines else _SHOWN)
    if shown.isascii() or _SURROGATE_RE.search(shown) is None:
        return shown
    return _SURROGATE_RE.sub(lambda found: f"\\u{ord(found.group()):04x}", shown)


def one_line(text: str, limit: int | None = None) -> str:
    """visible(text) on one line: runs of whitespace (newlines too) become one space; cut to
    limit characters with … (for previews of long notes)."""
    if text.isascii() and text.isprintable() and "  " not in text and text.strip() == text:
        line = text  # already one visible line (most ids, years and names): nothing to fold
        cut = False
    else:
        cut = limit is not None and len(text) > 8 * limit  # a 10 MB note is not folded whole for a preview
        line = " ".join(visible(text[: 8 * limit] if cut and limit is not None else text).split())
    if limit is not None and (cut or len(line) > limit):
        return line[: limit - 1] + "…"
    return line


def is_safe(text: str, lines: bool = True) -> bool:
    """True if visible(text, lines) would show text unchanged."""
    return (_UNSAFE_IN_TEXT if lines else _UNSAFE_RE).search(text) is None


def remove_controls(text: str, lines: bool = True) -> tuple[str, int]:
    """text without its control and bidi characters (lines: newlines and tabs stay), and how many
    were removed. No other change: for a field as it is being typed into."""
    return (_UNSAFE_IN_TEXT if lines else _UNSAFE_RE).subn("", text)


def name_text(text: str) -> tuple[str, int]:
    """A name's letters as Kompass keeps them, and how many characters were removed: NFC, without
    any control or format character (Unicode Cc, Cf, Cs: escapes, bidi controls, zero-width and tag
    characters) nor any other that is drawn as nothing (default-ignorable: variation selectors,
    fillers), so two names that look alike are alike; tabs and line breaks as spaces, one space
    between words. No length check (clean_name has it)."""
    kept, removed = _IGNORABLE_RE.subn("", _BREAKS_RE.sub(" ", text))
    if not kept.isprintable():  # a fast test: only then is each character looked at
        letters = [c for c in kept if c == " " or unicodedata.category(c) not in ("Cc", "Cf", "Cs")]
        removed += len(kept) - len(letters)
        kept = "".join(letters)
    return " ".join(unicodedata.normalize("NFC", kept).split()), removed


def clean_name(text: str, what: str = "the name") -> tuple[str, int]:
    """A name as Kompass keeps it (name_text), and how many characters were removed. InputError if
    it is longer than MAX_NAME."""
    if len(text) > MAX_RAW_NAME:
        raise InputError(
            f"{what} is {len(text):,} characters long; at most {MAX_NAME} are allowed "
            "(ids and file names are made from it)"
        )
    name, removed = name_text(text)
    if len(name) > MAX_NAME:
        raise InputError(
            f"{what} is {len(name):,} characters long; at most {MAX_NAME} are allowed "
            "(ids and file names are made from it)"
        )
    return name, removed


def text_kept(text: str) -> tuple[str, int]:
    """A note's or text's characters as Kompass keeps them, and how many were removed: NFC, line
    breaks as \\n, tabs kept, every other control and bidi character removed. No length check
    (clean_text has it)."""
    kept, removed = remove_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    return unicodedata.normalize("NFC", kept), removed


def clean_text(text: str, what: str = "the text") -> tuple[str, int]:
    """A note or text as Kompass keeps it, and how many characters were removed: NFC, line breaks
    as \\n, tabs kept, every other control and bidi character removed. InputError if it is longer
    than MAX_TEXT."""
    kept, removed = text_kept(text)
    if len(kept) > MAX_TEXT:
        raise InputError(
            f"{what} is {len(kept):,} characters long; Kompass keeps at most {MAX_TEXT:,} "
            "(shorten it, or keep the long document elsewhere and refer to it)"
        )
    return kept, removed
