"""Shared fixtures: every test gets its own data home and database folder, a fixed language, and no
user settings from the machine it runs on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import settings

from kompass_tui.core import model
from kompass_tui.service import Workbench
from kompass_tui.store import criteria

# A loaded CI machine must not fail a property on time: speed is the benchmark's job.
settings.register_profile("kompass", deadline=None)
settings.load_profile("kompass")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("KOMPASS_HOME", str(home))
    monkeypatch.delenv("KOMPASS_DB", raising=False)
    monkeypatch.setenv("KOMPASS_LANG", "en")
    monkeypatch.delenv("KOMPASS_DEBUG", raising=False)
    return home


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "db"


@pytest.fixture
def bench(db_path: Path) -> Workbench:
    return Workbench(db_path)


@pytest.fixture
def demo(bench: Workbench) -> Workbench:
    bench.load_demo()
    return bench


class Clock:
    """The time edits are stamped with, moved on by the test: no test waits for the wall clock."""

    def __init__(self) -> None:
        self.at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def tick(self, seconds: int = 1) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    stopped = Clock()
    monkeypatch.setattr(model, "now", lambda: stopped.at.isoformat())
    return stopped


@pytest.fixture
def fw() -> criteria.Framework:
    return criteria.get("kommunkompassen-2003")
