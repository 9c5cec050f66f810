"""Shared fixtures: every test gets its own data home and database folder, a fixed language, and no
user settings from the machine it runs on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import settings

from kompass_tui.core import model
from kompass_tui.service import Workbench
from kompass_tui.store import criteria

# A loaded CI machine must not fail a property on time: speed is the benchmark's job.
settings.register_profile("kompass", deadline=None)
settings.load_profile("kompass")

# The seed report's published figures: the acceptance test for every total.
SEED_AREAS = {"1": "83", "2": "76.5", "3": "89.5", "4": "81.5", "5": "76", "6": "72.5", "7": "67", "8": "93"}
SEED_QUESTIONS = {
    "1.1": "34",
    "1.2": "36",
    "1.3": "13",
    "2.1": "9.5",
    "2.2": "15",
    "2.3": "16",
    "2.4": "18",
    "2.5": "12",
    "2.6": "6",
    "3.1": "28.5",
    "3.2": "20",
    "3.3": "24",
    "3.4": "17",
    "4.1": "25.5",
    "4.2": "18",
    "4.3": "20",
    "4.4": "11",
    "4.5": "7",
    "5.1": "36",
    "5.2": "12",
    "5.3": "14",
    "5.4": "14",
    "6.1": "19.5",
    "6.2": "18",
    "6.3": "10",
    "6.4": "17",
    "6.5": "0",
    "6.6": "8",
    "7.1": "15",
    "7.2": "15",
    "7.3": "18",
    "7.4": "7",
    "7.5": "12",
    "8.1": "38",
    "8.2": "18",
    "8.3": "17",
    "8.4": "20",
}
SEED_NOMINEES = {
    "kalix-2003": "408",
    "botkyrka-2003": "639",
    "nacka-2003": "525",
    "vasteras-2003": "522.5",
    "trollhattan-2003": "619",
}


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


def snapshot_files(folder: Path) -> dict[str, bytes]:
    """Every file under folder with its bytes: compare before and after to prove nothing changed."""
    if not folder.exists():
        return {}
    if folder.is_file():
        return {folder.name: folder.read_bytes()}
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def dec(text: str) -> Decimal:
    return Decimal(text)
