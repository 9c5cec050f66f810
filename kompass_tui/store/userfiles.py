"""Files a user gives Kompass to read (an import, a merge): opened without hanging on a FIFO or a
device, limited in size, decoded as UTF-8 or (as Swedish Excel writes CSV) Windows-1252."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kompass_tui.errors import InputError

MAX_FILE = 512 * 1024 * 1024  # bytes of one file to import (14,500 area rows take about 1 MB)


def read_text_file(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """A user's input file as text, with a one-line error if it cannot be read, and what was
    guessed about it ('' if nothing). UTF-8 (with or without a BOM) unless encoding says otherwise;
    a file that is not UTF-8 is read as Windows-1252, which Swedish Excel's "CSV
    (semikolonavgränsad)" writes."""
    try:
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:  # a FIFO must not hang the open
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):  # a device or a FIFO could be read for ever
                raise InputError(f"{path}: not a regular file; give a file to import")
            if info.st_size > MAX_FILE:
                raise InputError(
                    f"{path}: {info.st_size:,} bytes, more than Kompass imports at once ({MAX_FILE:,}); split it"
                )
            raw = handle.read()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, expected a file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror})") from None
    if encoding:
        try:
            return raw.decode(encoding), ""
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r}; use utf-8 or cp1252") from None
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path}: not {encoding} text (byte {exc.start + 1} cannot be read); try --encoding utf-8 or cp1252"
            ) from None
        except (UnicodeError, ValueError, TypeError):  # an encoding that is not for text files (punycode, rot13 …)
            raise InputError(
                f"{path}: cannot be read as {encoding}; use a text encoding such as utf-8 or cp1252"
            ) from None
    try:
        return raw.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode(
            "cp1252"
        ), "not UTF-8, so read as Windows-1252 (Excel's CSV); give --encoding if that is wrong"
    except UnicodeDecodeError:
        raise InputError(
            f"{path}: neither UTF-8 nor Windows-1252 text (save it as CSV UTF-8 in Excel, or give --encoding)"
        ) from None
