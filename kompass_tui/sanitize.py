"""User text: safe to show, and clean when kept. Pure functions, the one home of both rules.

Text from users is hostile until shown safely: a municipality, an evaluator's name, a note, a
framework's texts or a file name may carry terminal escape sequences (`ESC ]52;…` writes the
clipboard, `ESC [2J` clears the screen), C1 controls (`\\x9b` acts as `ESC [`) or Unicode bidi
overrides (which make text read differently from what it is).

- `visible(text)` is how every user text is shown, in the app, the CLI (piped or not) and the
  reports: those characters become visible escapes (`␛`, `\\x9b`, `\\u202e`), never written raw.
  Newline and tab are kept (a multi-line note stays multi-line); `one_line` folds them too.
- `clean_name` and `clean_text` are what enters the database (from the CLI, the app, an import or
  a merge): names are NFC-normalised, lose every control and bidi character and are at most
  MAX_NAME characters; notes and texts keep newlines and tabs, lose the other controls and are at
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
# Unicode bidi embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI): the
# "Trojan Source" characters.
BIDI = (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
LINE_BREAKS = "\n\t"

# Control characters as Unicode's control pictures (one column each, so tables keep their shape),
# C1 controls and bidi controls as their escape in Python's notation.
_SHOWN: dict[int, str] = {
    **{c: chr(0x2400 + c) for c in _C0},
    _DEL: "\u2421",
    **{c: f"\\x{c:02x}" for c in _C1},
    **{c: f"\\u{c:04x}" for c in BIDI},
}
_SHOWN_MULTILINE = {c: s for c, s in _SHOWN.items() if chr(c) not in LINE_BREAKS}
_UNSAFE = frozenset(_SHOWN)
_UNSAFE_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_UNSAFE)) + "]")
_UNSAFE_IN_TEXT = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_UNSAFE) if chr(c) not in LINE_BREAKS) + "]")
_BREAKS_RE = re.compile(r"[\t\n\r]")


def visible(text: str, lines: bool = True) -> str:
    """text with every control, escape and bidi character shown as a visible escape: safe to
    write to any terminal. lines: keep newlines and tabs (else they are shown as ␊ and ␉)."""
    return text.translate(_SHOWN_MULTILINE if lines else _SHOWN)


def one_line(text: str, limit: int | None = None) -> str:
    """visible(text) on one line: runs of whitespace (newlines too) become one space; cut to
    limit characters with … (for previews of long notes)."""
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


def clean_name(text: str, what: str = "the name") -> tuple[str, int]:
    """A name as Kompass keeps it, and how many characters were removed: NFC, no control or bidi
    characters (tabs and line breaks become spaces), one space between words. InputError if it is
    longer than MAX_NAME."""
    kept, removed = remove_controls(_BREAKS_RE.sub(" ", text), lines=False)
    name = " ".join(unicodedata.normalize("NFC", kept).split())
    if len(name) > MAX_NAME:
        raise InputError(f"{what} is {len(name):,} characters long; at most {MAX_NAME} are allowed "
                         "(ids and file names are made from it)")
    return name, removed


def clean_text(text: str, what: str = "the text") -> tuple[str, int]:
    """A note or text as Kompass keeps it, and how many characters were removed: NFC, line breaks
    as \\n, tabs kept, every other control and bidi character removed. InputError if it is longer
    than MAX_TEXT."""
    kept, removed = remove_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    kept = unicodedata.normalize("NFC", kept)
    if len(kept) > MAX_TEXT:
        raise InputError(f"{what} is {len(kept):,} characters long; Kompass keeps at most {MAX_TEXT:,} "
                         "(shorten it, or keep the long document elsewhere and refer to it)")
    return kept, removed
