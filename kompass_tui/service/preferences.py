"""The user's settings (store.settings) as the CLI and the app use them: read once per process,
changed one value at a time, and each setting's precedence: the command-line option, then the
environment variable, then the settings file, then the locale and the login name."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from pathlib import Path

from kompass_tui import paths
from kompass_tui.store import settings as stored
from kompass_tui.store.settings import Settings

_reported: set[tuple[Path, tuple[int, int] | None]] = set()


@cache
def _loaded(path: Path, stamp: tuple[int, int] | None) -> tuple[Settings, tuple[str, ...]]:
    found, problems = stored.load(path)
    return found, tuple(problems)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def settings(report: Callable[[str], object] | None = None) -> Settings:
    """The settings file's settings (read again only when the file changed); report is told each
    problem found in it, once."""
    path = paths.settings_file()
    stamp = _stamp(path)
    found, problems = _loaded(path, stamp)
    if report is not None and problems and (path, stamp) not in _reported:
        _reported.add((path, stamp))
        for line in problems:
            report(line)
    return found


def remember(**changes: str | None) -> Settings:
    """Keep these settings (theme, lang, name) for the next time; the others stay as they are."""
    return stored.save(paths.settings_file(), **changes)


def default_framework() -> str:
    """The framework of a new evaluation where nothing else decides (not the municipality's last
    round, not --framework): the settings file's, else the bundled kommunkompassen-2003."""
    from kompass_tui.core.framework import DEFAULT_FRAMEWORK

    return settings().framework or DEFAULT_FRAMEWORK


def language(given: str | None) -> str:
    """--lang, else $KOMPASS_LANG, else the settings file, else the locale's (i18n)."""
    from kompass_tui.i18n import LANGS, resolve

    saved = settings().lang
    return resolve(given, saved if saved in LANGS else None)
