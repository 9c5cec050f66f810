"""Installed frameworks: the framework files on disk (bundled with Kompass, and the user's own),
found, read, checked (core.framework.parse) and added. The user's folder must be theirs alone."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from kompass_tui import paths
from kompass_tui.core.framework import ID_PATTERN, Framework, parse
from kompass_tui.errors import CriteriaError, KompassError, NotFound


def load(path: Path, origin: str = "user") -> Framework:
    """Read and validate one framework file."""
    path = Path(path)
    stat = _stat(path)
    return _load_cached(path.resolve(), stat.st_mtime_ns, stat.st_size, origin)


def _stat(path: Path) -> os.stat_result:
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise CriteriaError([f"{path}: no such file"]) from None
    except OSError as exc:
        raise CriteriaError([f"{path}: cannot read it ({exc.strerror})"]) from None
    if not path.is_file():
        raise CriteriaError([f"{path}: expected a framework file (.toml), found a folder"])
    return stat


@lru_cache(maxsize=64)
def _load_cached(path: Path, mtime_ns: int, size: int, origin: str) -> Framework:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CriteriaError([f"{path}: cannot read it ({exc.strerror})"]) from None
    if not raw.strip():
        raise CriteriaError([f"{path}: the file is empty; expected a [framework] table and [[area]] tables"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CriteriaError([f"{path}: expected a UTF-8 text (TOML) file, found binary data"]) from None
    return parse(text, path, origin)


# ---------------------------------------------------------------- installed frameworks


def _dirs() -> list[tuple[str, Path]]:
    """Search order: the user's folder first, so a corrected copy replaces the bundled one. The
    user's folder must be theirs and closed to others: a framework planted there would change
    every total."""
    folder = paths.user_criteria_dir()
    try:
        problem = paths.not_private(os.stat(folder))
    except OSError:
        problem = None  # not there (yet): nothing to read from it
    if problem is not None:
        what, advice = problem
        advice = f"run chmod 700 {folder}" if advice.startswith("run chmod") else "move it out of the way"
        raise CriteriaError([f"{folder} {what}; frameworks there would decide every total: {advice}"])
    return [("user", folder), ("bundled", paths.bundled_criteria_dir())]


def get(framework_id: str) -> Framework:
    """The installed framework with this id (user folder first, then bundled)."""
    if not ID_PATTERN.fullmatch(framework_id):  # an id from a file is a file name here: never a path or a NUL
        raise NotFound(f"framework {framework_id!r} is not installed (framework ids look like kommunkompassen-2003)")
    for origin, folder in _dirs():
        candidate = folder / f"{framework_id}.toml"
        if candidate.is_file():
            framework = load(candidate, origin)
            if framework.id == framework_id:
                return framework
    for framework in installed():
        if framework.id == framework_id:
            return framework
    known = ", ".join(f.id for f in installed()) or "none"
    raise NotFound(
        f"framework {framework_id!r} is not installed (installed: {known}); add it with `kompass criteria add FILE`",
        sv=f"ramverket {framework_id!r} är inte installerat (installerade: {known}); lägg till det med "
        "`kompass criteria add FIL`",
    )


def stamp(framework_id: str) -> str | None:
    """Changes whenever the installed framework with this id changes (its file replaced or
    edited: `criteria add --replace`), found with a stat, without reading the file: what an index
    row remembers of the framework it was summarised with. None if it is not installed."""
    if not ID_PATTERN.fullmatch(framework_id):
        return None
    for origin, folder in _dirs():
        try:
            info = (folder / f"{framework_id}.toml").stat()
        except OSError:
            continue
        return f"{origin}:{info.st_ino}:{info.st_mtime_ns}:{info.st_size}"
    try:
        return get(framework_id).signature  # a file named otherwise: read it
    except KompassError:
        return None


def installed(problems: list[str] | None = None) -> list[Framework]:
    """Every installed framework, one per id, the user's copy winning. Broken files go to problems."""
    found: dict[str, Framework] = {}
    for origin, folder in _dirs():
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                framework = load(path, origin)
            except CriteriaError as exc:
                if problems is not None:
                    problems.extend(exc.problems)
                continue
            found.setdefault(framework.id, framework)
    return sorted(found.values(), key=lambda f: f.id)


def add(path: Path, replace: bool = False) -> Framework:
    """Validate a user's framework file and copy it into the user folder as <id>.toml."""
    framework = load(Path(path), "user")
    existing = {f.id: f for f in installed()}
    if framework.id in existing and not replace:
        where = existing[framework.id].path
        raise CriteriaError(
            [
                f"{path}: a framework with id '{framework.id}' is already installed ({where}); "
                "give it another id, or pass --replace to use yours instead"
            ]
        )
    from kompass_tui.store import _make_dirs, atomic_write  # here: the store never imports criteria

    folder = paths.user_criteria_dir()
    target = folder / f"{framework.id}.toml"
    try:
        raw = Path(path).read_bytes()
        _make_dirs(folder)  # each missing level made 0700 (never 0777/0755 under a loose umask)
        atomic_write(target, raw)  # 0600, fsynced, replaced in one step
    except OSError as exc:
        raise CriteriaError([f"{path}: cannot install it in {folder} ({exc.strerror}); nothing was changed"]) from None
    return load(target, "user")
