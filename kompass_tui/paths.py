"""Where Kompass keeps things: one place for every path, overridable for tests and power users.

- the database folder: `--db PATH`, else `$KOMPASS_DB`, else `<data home>/db`
- the data home: `$KOMPASS_HOME`, else the platform's user data dir (platformdirs)
- user frameworks: `<data home>/criteria`; bundled frameworks: inside the installed package
- the settings file: `$KOMPASS_HOME/settings.toml`, else the platform's user config dir's
  (so tests and scripts that set KOMPASS_HOME never read a person's settings)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "kompass"
PACKAGE_DIR = Path(__file__).resolve().parent


def owner_name(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def not_private(info: os.stat_result) -> tuple[str, str] | None:
    """Why a folder (by its stat) is no place for interview notes, and what to do; None if it is
    fine: it must be the user's own and closed to writing by its group and others."""
    if info.st_uid != os.geteuid():
        return f"belongs to another user ({owner_name(info.st_uid)})", "use a folder of your own"
    mode = info.st_mode & 0o7777
    if mode & 0o022:
        who = "other users" if mode & 0o002 else "its group"
        return f"is writable by {who} (mode {mode:04o})", "run chmod 700 on it"
    return None


def served() -> bool:
    """True in the app that `kompass serve` runs for a browser (textual-serve sets this variable)."""
    return "TEXTUAL_DRIVER" in os.environ


def data_home() -> Path:
    env = os.environ.get("KOMPASS_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def settings_file() -> Path:
    env = os.environ.get("KOMPASS_HOME")
    if env:
        return Path(env).expanduser() / "settings.toml"
    platform = sys.platform  # (a name: mypy would call the other branch unreachable on Linux)
    if platform.startswith("linux"):  # platformdirs' rule (XDG), without its 5 ms import before the first frame
        return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / APP_NAME / "settings.toml"
    import platformdirs

    return platformdirs.user_config_path(APP_NAME, appauthor=False) / "settings.toml"


def database(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The database folder in use: the explicit path, else $KOMPASS_DB, else the default."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("KOMPASS_DB")
    if env:
        return Path(env).expanduser()
    return data_home() / "db"


def user_criteria_dir() -> Path:
    return data_home() / "criteria"


def bundled_criteria_dir() -> Path:
    """The shipped framework files: packaged as kompass_tui/criteria in a wheel, ./criteria in a checkout."""
    installed = PACKAGE_DIR / "criteria"
    if installed.is_dir():
        return installed
    return PACKAGE_DIR.parent / "criteria"


def demo_dir() -> Path:
    return PACKAGE_DIR / "demo"
