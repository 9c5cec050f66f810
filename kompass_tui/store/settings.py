"""The user's settings file (paths.settings_file): theme, language, name and key bindings, in a
small TOML file the user may also edit by hand:

    theme = "gruvbox"
    lang = "sv"
    name = "Anna Berg"

    [keymap]                      # binding ids (F1 help lists them) to keys, as posting does
    "kompass.overview.profile" = "f5"

Read leniently: a setting that is not understood is left out and said (one line each), never a
crash; a file that others could have written is not read at all. Written atomically, 0600, in a
0700 folder, with every setting it held (a comment written by hand is not kept)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from kompass_tui.i18n import LANGS
from kompass_tui.paths import not_private
from kompass_tui.store.files import _make_dirs, atomic_write

KEYS = re.compile(r"[a-z0-9_+,-]+(,[a-z0-9_+-]+)*")  # Textual key names, comma-separated
BINDING_ID = re.compile(r"[A-Za-z0-9_.-]+")
SYNC_WHEN = {"open", "quit"}  # when the app syncs a shared database by itself
MAX_BYTES = 64 * 1024


class Settings:
    """theme, lang, name, framework (the default for new evaluations; None where not set) and
    keymap. (A plain class: making a dataclass or a NamedTuple costs the app's first frame a
    millisecond.)"""

    __slots__ = ("framework", "keymap", "lang", "name", "sync", "theme")

    def __init__(
        self,
        theme: str | None = None,
        lang: str | None = None,
        name: str | None = None,
        keymap: Mapping[str, str] | None = None,
        framework: str | None = None,
        sync: tuple[str, ...] = (),
    ) -> None:
        self.theme, self.lang, self.name, self.framework = theme, lang, name, framework
        self.keymap: Mapping[str, str] = MappingProxyType(dict(keymap or {}))
        self.sync = sync  # when the app syncs by itself: "open", "quit" (a shared database: kompass sync)

    def changed(self, **changes: str | None) -> Settings:
        values = {"theme": self.theme, "lang": self.lang, "name": self.name, "framework": self.framework, **changes}
        return Settings(values["theme"], values["lang"], values["name"], self.keymap, values["framework"], self.sync)


def load(path: Path) -> tuple[Settings, list[str]]:
    """The settings in path (none if there is no file), and one line per problem found."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return Settings(), []
    except OSError as exc:
        return Settings(), [f"{path}: {exc.strerror}; settings not read"]
    problem = not_private(info)
    if problem is not None:
        why, fix = problem
        return Settings(), [f"{path} {why}; settings not read ({fix.replace('run chmod 700', 'run chmod 600')})"]
    if info.st_size > MAX_BYTES:
        return Settings(), [f"{path} is larger than a settings file ({info.st_size} bytes); settings not read"]
    import tomllib  # (here: with no settings file, the app's first frame does without it)

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return Settings(), [f"{path}: {exc}; settings not read (fix or delete the file)"]
    problems: list[str] = []

    def text(name: str) -> str | None:
        value = data.get(name)
        if value is None:
            return None
        if isinstance(value, str) and value.strip() and value.isprintable():
            return value.strip()
        problems.append(f"{path}: {name} should be a line of text, found {value!r}; left out")
        return None

    keymap: dict[str, str] = {}
    table = data.get("keymap", {})
    if not isinstance(table, dict):
        problems.append(f"{path}: keymap should be a table of binding ids and keys; left out")
        table = {}
    for binding_id, keys in table.items():
        if BINDING_ID.fullmatch(binding_id) and isinstance(keys, str) and KEYS.fullmatch(keys.replace(" ", "")):
            keymap[binding_id] = keys.replace(" ", "")
        else:
            problems.append(
                f"{path}: keymap {binding_id!r} = {keys!r} is not a binding id and keys (such as f5 or ctrl+p); left out"
            )
    for name in sorted(set(data) - {"theme", "lang", "name", "framework", "keymap", "sync"}):
        problems.append(
            f"{path}: unknown setting {name!r}; left out (known: theme, lang, name, framework, keymap, sync)"
        )
    sync = data.get("sync", "")
    when = tuple(sync.replace(",", " ").split()) if isinstance(sync, str) else ("?",)
    if not set(when) <= SYNC_WHEN:
        problems.append(f'{path}: sync should be "open", "quit" or "open quit", found {sync!r}; left out')
        when = ()
    lang = text("lang")
    if lang is not None and lang.lower() not in LANGS:
        problems.append(f"{path}: lang should be {' or '.join(LANGS)}, found {lang!r}; left out")
        lang = None
    settings = Settings(text("theme"), lang.lower() if lang else None, text("name"), keymap, text("framework"), when)
    return settings, problems


def save(path: Path, **changes: str | None) -> Settings:
    """Change the settings named (theme, lang, name) in path, keeping everything else as it is."""
    current, _ = load(path)
    unknown = set(changes) - {"theme", "lang", "name", "framework"}
    if unknown:
        raise ValueError(f"not a setting to save: {', '.join(sorted(unknown))}")
    new = current.changed(**changes)
    _make_dirs(path.parent)
    atomic_write(path, _toml(new).encode("utf-8"))
    return new


def _toml(settings: Settings) -> str:
    lines = ['# Kompass settings (kompass locate shows this file). Key bindings: [keymap] "binding id" = "keys".']
    for name in ("theme", "lang", "name", "framework"):
        value = getattr(settings, name)
        if value is not None:
            lines.append(f"{name} = {json.dumps(value, ensure_ascii=False)}")
    if settings.sync:
        lines.append(f"sync = {json.dumps(' '.join(settings.sync))}")
    if settings.keymap:
        lines += ["", "[keymap]"]
        lines += [f"{json.dumps(k)} = {json.dumps(v)}" for k, v in sorted(settings.keymap.items())]
    return "\n".join(lines) + "\n"
