"""Evaluations as JSON files: `kompass export --format json` writes them, `import` and `merge`
read them (model.to_document / from_document is the document's shape)."""

from __future__ import annotations

import json

from kompass_tui.core import model
from kompass_tui.core.model import Evaluation
from kompass_tui.core.sanitize import UNSAFE
from kompass_tui.errors import InputError


def _json_escape(c: int) -> str:
    """The JSON escape of a code point (a surrogate pair beyond the first plane)."""
    if c < 0x10000:
        return f"\\u{c:04x}"
    c -= 0x10000
    return f"\\u{0xD800 + (c >> 10):04x}\\u{0xDC00 + (c & 0x3FF):04x}"


# json escapes C0 controls itself; these it leaves raw (only inside strings, so escaping them there
# keeps the file valid JSON that reads back exactly)
_JSON_ESCAPES = {c: _json_escape(c) for c in UNSAFE if c >= 0x7F}


def dumps(ev: Evaluation) -> str:
    """The exchange file of an evaluation: exact (every text reads back as it was), and safe to
    show in a terminal (no control character written raw)."""
    return json.dumps(model.to_document(ev), ensure_ascii=False, indent=2).translate(_JSON_ESCAPES) + "\n"


def loads(text: str, name: str) -> Evaluation:
    """An evaluation from the text of an exchange file; InputError naming what is wrong."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except (RecursionError, ValueError):  # nested too deeply; an integer of thousands of digits
        raise InputError(f"{name}: not a Kompass evaluation file (nested too deeply, or a number too long)") from None
    return model.from_document(data, name)
