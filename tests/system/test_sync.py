"""A team's sync through git (issue 18): one bare repository and three database folders, three
evaluators scoring the same evaluation offline and then syncing in every order."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from itertools import permutations
from pathlib import Path

import pytest

from kompass_tui.core import model
from kompass_tui.errors import InputError
from kompass_tui.service import Workbench
from kompass_tui.service.sync import Sync

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

ANNA, OMAR, LENA = "Anna Berg", "Omar Said", "Lena Ek"


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    return bare


def team(tmp_path: Path, remote: Path) -> tuple[dict[str, Workbench], str]:
    """Three laptops sharing one evaluation: Anna made it and shared it, the others joined."""
    laptops = {name: Workbench(tmp_path / name.split()[0].lower()) for name in (ANNA, OMAR, LENA)}
    ev = laptops[ANNA].create("Upplands Väsby", 2026, evaluators=[ANNA, OMAR, LENA])
    for name, bench in laptops.items():
        Sync(bench).setup(str(remote), name)
    return laptops, ev.id


def stored(bench: Workbench, eid: str) -> dict:
    return model.to_dict(bench.get(eid))


def test_a_laptop_that_joins_gets_the_evaluation(tmp_path, remote):
    laptops, eid = team(tmp_path, remote)
    assert stored(laptops[OMAR], eid) == stored(laptops[ANNA], eid) == stored(laptops[LENA], eid)
    for bench in laptops.values():  # the folder and its repository are the user's only
        assert (bench.folder / ".git").stat().st_mode & 0o077 == 0
        assert all(p.stat().st_mode & 0o077 == 0 for p in (bench.folder / ".git" / "objects").rglob("*"))


@pytest.mark.parametrize("order", list(permutations((ANNA, OMAR, LENA))))
def test_three_evaluators_offline_then_every_order_of_syncs_agree(tmp_path, remote, clock, order):
    laptops, eid = team(tmp_path, remote)
    anna, omar, lena = laptops[ANNA], laptops[OMAR], laptops[LENA]
    # offline: each scores, partly the same sub-questions
    anna.score(eid, "1.1", Decimal(30), by=ANNA, note="Anna om 1.1")
    anna.score(eid, "1.2", Decimal(20), by=ANNA)
    clock.tick()
    omar.score(eid, "1.1", Decimal(32), by=OMAR, note="Omar om 1.1")
    omar.score(eid, "2.1", Decimal(8), by=OMAR)
    clock.tick()
    lena.score(eid, "1.2", Decimal(22), by=LENA)
    lena.score(eid, "2.1", Decimal("7.5"), by=LENA, note="Lena om 2.1")
    # Anna's own entry edited on two laptops: hers first, then on Lena's (newer, kept)
    clock.tick()
    lena.score(eid, "1.2", Decimal("20.5"), by=ANNA)
    # a shared text changed differently on two sides
    anna.area_text(eid, "2", "strengths", "Medborgarkontor")
    omar.area_text(eid, "2", "strengths", "E-tjänster")
    merged = []
    for _ in range(2):  # a second round brings everyone what the later syncs sent
        for name in order:
            merged += Sync(laptops[name]).sync(name).merged
    assert any("strengths" in line for line in merged)  # the text changed on two sides: said
    docs = [stored(bench, eid) for bench in laptops.values()]
    assert docs[0] == docs[1] == docs[2]
    ev = anna.get(eid)
    assert ev.answer("1.1").entry(ANNA).score == 30 and ev.answer("1.1").entry(OMAR).score == 32
    assert ev.answer("1.1").entry(ANNA).note == "Anna om 1.1" and ev.answer("1.1").entry(OMAR).note == "Omar om 1.1"
    assert ev.answer("1.2").entry(ANNA).score == Decimal("20.5")  # the newer of her two edits
    assert ev.answer("1.2").entry(LENA).score == 22
    assert ev.answer("2.1").entry(OMAR).score == 8 and ev.answer("2.1").entry(LENA).note == "Lena om 2.1"
    strengths = {ev.area("2").strengths, *(text for _, _, text in ev.other_versions)}
    assert {"Medborgarkontor", "E-tjänster"} <= strengths  # both kept
    assert all(ev.answer(q).score is None for q in ("1.1", "1.2", "2.1"))  # the consensus untouched


def test_what_a_sync_sends_and_receives_is_said(tmp_path, remote):
    laptops, eid = team(tmp_path, remote)
    laptops[OMAR].score(eid, "1.1", Decimal(12), by=OMAR, note="n")
    sent = Sync(laptops[OMAR]).sync(OMAR)
    assert sent.sent == [f"{eid}: {OMAR}: 1.1 12, note on 1.1"] and sent.pushed >= 1
    received = Sync(laptops[ANNA]).sync(ANNA)
    assert received.received == [f"from {OMAR}: 1 score, 1 note in {eid}"]
    log = subprocess.run(
        ["git", "-C", str(laptops[ANNA].folder), "log", "--format=%an|%s"], capture_output=True, text=True
    ).stdout.splitlines()
    assert f"{OMAR}|{eid}: {OMAR}: 1.1 12, note on 1.1" in log


def test_offline_keeps_the_commit_and_the_next_sync_sends_it(tmp_path, remote):
    laptops, eid = team(tmp_path, remote)
    moved = remote.with_name("away.git")
    remote.rename(moved)
    laptops[ANNA].score(eid, "1.1", Decimal(30), by=ANNA)
    report = Sync(laptops[ANNA]).sync(ANNA)
    assert report.offline and report.sent
    assert Sync(laptops[ANNA]).status().ahead == 1
    moved.rename(remote)
    assert Sync(laptops[ANNA]).sync(ANNA).pushed >= 1
    Sync(laptops[OMAR]).sync(OMAR)
    assert laptops[OMAR].get(eid).answer("1.1").entry(ANNA).score == 30


def test_a_deletion_on_one_side_and_an_edit_on_the_other_keeps_the_edit(tmp_path, remote):
    laptops, eid = team(tmp_path, remote)
    laptops[ANNA].delete(eid)
    Sync(laptops[ANNA]).sync(ANNA)
    laptops[OMAR].score(eid, "1.1", Decimal(5), by=OMAR)
    report = Sync(laptops[OMAR]).sync(OMAR)
    assert any("deleted" in line for line in report.merged)
    Sync(laptops[ANNA]).sync(ANNA)
    assert laptops[ANNA].get(eid).answer("1.1").entry(OMAR).score == 5


def test_a_corrupt_file_from_the_remote_is_refused_naming_commit_and_file(tmp_path, remote):
    laptops, eid = team(tmp_path, remote)
    other = tmp_path / "intruder"
    subprocess.run(["git", "clone", "-q", str(remote), str(other)], check=True)
    (other / "evaluations" / f"{eid}.json").write_text('{"_meta": {"1": {"app": "kompass"')
    subprocess.run(["git", "-C", str(other), "commit", "-qam", "broken"], check=True, env=_identity())
    subprocess.run(["git", "-C", str(other), "push", "-q"], check=True)
    before = (laptops[ANNA].folder / "evaluations" / f"{eid}.json").read_bytes()
    with pytest.raises(InputError, match=rf"^[0-9a-f]{{10}}:evaluations/{eid}\.json: .*the sync stopped"):
        Sync(laptops[ANNA]).sync(ANNA)
    assert (laptops[ANNA].folder / "evaluations" / f"{eid}.json").read_bytes() == before


def _identity() -> dict[str, str]:
    import os

    return {
        **os.environ,
        "GIT_AUTHOR_NAME": "x",
        "GIT_AUTHOR_EMAIL": "x@x",
        "GIT_COMMITTER_NAME": "x",
        "GIT_COMMITTER_EMAIL": "x@x",
    }


def test_a_merge_made_with_git_by_hand_uses_kompass_merge(tmp_path, remote):
    laptops, eid = team(tmp_path, remote)
    laptops[OMAR].score(eid, "1.1", Decimal(12), by=OMAR)
    Sync(laptops[OMAR]).sync(OMAR)
    anna = laptops[ANNA]
    anna.score(eid, "1.1", Decimal(30), by=ANNA)
    git = ["git", "-C", str(anna.folder)]
    subprocess.run([*git, "commit", "-qam", "Anna's own"], check=True, env=_identity())
    subprocess.run([*git, "fetch", "-q", "origin"], check=True)
    merged = subprocess.run([*git, "merge", "-q", "--no-edit", "origin/main"], env=_identity(), capture_output=True)
    assert merged.returncode == 0, merged.stderr  # no conflict markers: Kompass's driver merged the file
    ev = Workbench(anna.folder).get(eid)
    assert ev.answer("1.1").entry(ANNA).score == 30 and ev.answer("1.1").entry(OMAR).score == 12


def test_without_git_the_sync_says_what_to_install(tmp_path, remote, monkeypatch):
    laptops, _ = team(tmp_path, remote)
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    with pytest.raises(InputError, match="kompass sync needs git, which is not installed"):
        Sync(laptops[ANNA]).sync(ANNA)


def test_the_cli_speaks_swedish(tmp_path, remote):
    from typer.testing import CliRunner

    from kompass_tui.cli import app

    laptops, eid = team(tmp_path, remote)
    laptops[OMAR].score(eid, "1.1", Decimal(12), by=OMAR)
    out = CliRunner().invoke(app, ["--lang", "sv", "sync", "--db", str(laptops[OMAR].folder), "--as", OMAR])
    assert out.exit_code == 0 and out.stdout.startswith(f"skickat: {eid}: {OMAR}: 1.1 12")
    again = CliRunner().invoke(app, ["--lang", "sv", "sync", "--db", str(laptops[OMAR].folder), "--as", OMAR])
    assert again.stdout == "redan i fas\n"
    status = CliRunner().invoke(app, ["--lang", "sv", "sync", "status", "--db", str(laptops[OMAR].folder)])
    assert "incheckningar inte skickade: 0" in status.stdout


def test_the_setting_sync_says_when_the_app_syncs(tmp_path):
    from kompass_tui.store import settings

    path = tmp_path / "settings.toml"
    path.write_text('sync = "open quit"\n')
    assert settings.load(path)[0].sync == ("open", "quit")
    path.write_text('sync = "always"\n')
    found, problems = settings.load(path)
    assert found.sync == () and problems == [
        f'{path}: sync should be "open", "quit" or "open quit", found \'always\'; left out'
    ]
