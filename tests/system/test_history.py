"""kompass history (service.audit): who changed what, and when. A team of three sharing one
evaluation through a bare git repository, and a database never shared."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kompass_tui.cli.audit  # noqa: F401 - registers `kompass history`
from kompass_tui.cli import app
from kompass_tui.errors import InputError, NotFound
from kompass_tui.service import Workbench
from kompass_tui.service.audit import Event, grouped, history, local_time
from kompass_tui.service.sync import Sync

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

ANNA, OMAR, LENA = "Anna Berg", "Omar Said", "Lena Ek"
runner = CliRunner()


def run(*args: object, code: int = 0):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    return bare


def team(tmp_path: Path, remote: Path, names: tuple[str, ...] = (ANNA, OMAR, LENA)) -> tuple[dict[str, Workbench], str]:
    """Laptops sharing one evaluation: the first made it and shared it, the others joined."""
    laptops = {name: Workbench(tmp_path / name.split()[0].lower()) for name in names}
    ev = laptops[names[0]].create("Upplands Väsby", 2026, evaluators=list(names))
    for name, bench in laptops.items():
        Sync(bench).setup(str(remote), name)
    return laptops, ev.id


def scored(tmp_path: Path, remote: Path, clock) -> tuple[dict[str, Workbench], str]:
    """Anna, Omar and Lena score overlapping sub-questions and sync in turn (twice round)."""
    laptops, eid = team(tmp_path, remote)
    anna, omar, lena = laptops[ANNA], laptops[OMAR], laptops[LENA]
    anna.score(eid, "1.1", Decimal(30), by=ANNA, note="Anna om 1.1")
    anna.score(eid, "1.2", Decimal(20), by=ANNA)
    clock.tick()
    omar.score(eid, "1.1", Decimal(32), by=OMAR)
    omar.score(eid, "2.1", Decimal(8), by=OMAR)
    clock.tick()
    lena.score(eid, "1.1", Decimal(31), by=LENA)
    lena.score(eid, "1.2", Decimal(22), by=LENA)
    for _ in range(2):
        for name in (ANNA, OMAR, LENA):
            Sync(laptops[name]).sync(name)
    return laptops, eid


def test_history_of_a_question_names_who_changed_it_with_their_values(tmp_path, remote, clock):
    laptops, eid = scored(tmp_path, remote, clock)
    for bench in laptops.values():  # the same on every laptop: the history came with the sync
        events = history(bench, eid, "1.1")
        assert all(e.question == "1.1" and e.commit for e in events)
        said = {(e.who, e.what) for e in events}
        assert said == {(ANNA, "1.1 30"), (ANNA, "note on 1.1"), (OMAR, "1.1 32"), (LENA, "1.1 31")}
        assert len(events) == 4  # each change once: a merge does not repeat what each side brought in
    events = history(laptops[OMAR], eid, "1.1")
    # when each one set it (the clock of the edit), not when it was synced; newest first
    assert [e.who for e in events if e.kind == "score"] == [LENA, OMAR, ANNA]
    assert {e.at for e in events if e.who == ANNA} == {"2026-03-02T09:00:00+00:00"}


def test_the_whole_history_has_every_sub_question_and_the_creation(tmp_path, remote, clock):
    laptops, eid = scored(tmp_path, remote, clock)
    events = history(laptops[LENA], eid)
    whats = [(e.who, e.what) for e in events]
    assert (OMAR, "2.1 8") in whats and (LENA, "1.2 22") in whats and (ANNA, "1.2 20") in whats
    assert ("Anna Berg", "created") in whats and events[-1].what in ("created", "joined the team")
    assert all(e.commit for e in events)  # everything is synced
    lines = grouped(history(laptops[LENA], eid, "1.1"))
    assert any(e.who == ANNA and e.what == "1.1 30 · note on 1.1" for e in lines)


def test_a_change_not_synced_yet_is_in_the_history_without_a_commit(tmp_path, remote, clock):
    laptops, eid = scored(tmp_path, remote, clock)
    clock.tick()
    laptops[ANNA].score(eid, "1.1", Decimal(33), by=ANNA)
    first = history(laptops[ANNA], eid, "1.1")[0]
    assert (first.who, first.what, first.commit) == (ANNA, "1.1 33", "")
    out = run("history", eid, "1.1", "--db", laptops[ANNA].folder).stdout
    assert "not synced" in out.splitlines()[0]


def test_kompass_history_prints_the_names(tmp_path, remote, clock):
    laptops, eid = scored(tmp_path, remote, clock)
    out = run("history", eid, "1.1", "--db", laptops[LENA].folder).stdout
    lines = out.splitlines()
    assert len(lines) == 3  # Lena's, Omar's, Anna's (her score and note on one line)
    assert LENA in lines[0] and "1.1 31" in lines[0]
    assert OMAR in lines[1] and "1.1 32" in lines[1]
    assert ANNA in lines[2] and "1.1 30 · note on 1.1" in lines[2]
    assert lines[2].startswith(local_time("2026-03-02T09:00:00+00:00"))
    assert "2.1" not in out


def test_history_without_git_lists_the_current_entries_with_their_times(bench, clock):
    ev = bench.create("Upplands Väsby", 2026, evaluators=[ANNA, OMAR])
    bench.score(ev.id, "1.1", Decimal(30), by=ANNA, note="n")
    clock.tick(60)
    bench.score(ev.id, "1.1", Decimal(32), by=OMAR)
    bench.score(ev.id, "1.2", Decimal(10), by=OMAR)
    events = history(bench, ev.id, "1.1")
    assert [(e.at, e.who, e.what, e.commit) for e in events] == [
        ("2026-03-02T09:01:00+00:00", OMAR, "1.1 32", ""),
        ("2026-03-02T09:00:00+00:00", ANNA, "1.1 30", ""),
        ("2026-03-02T09:00:00+00:00", ANNA, "note on 1.1", ""),
    ]
    whole = history(bench, ev.id)
    assert (OMAR, "1.2 10") in [(e.who, e.what) for e in whole]
    out = run("history", ev.id, "1.1", "--db", bench.folder).stdout.splitlines()
    assert out[0].startswith("Not shared through git") and len(out) == 3
    assert OMAR in out[1] and ANNA in out[2] and "1.1 30 · note on 1.1" in out[2]
    assert "(" not in out[1]  # no commit column without git


def test_an_action_and_a_consensus_are_in_the_history_without_git(bench, clock):
    ev = bench.create("Upplands Väsby", 2026, evaluators=[ANNA, OMAR])
    bench.score(ev.id, "2.1", Decimal(8), by=ANNA)
    clock.tick()
    bench.consensus(ev.id, "2.1", Decimal(8), by=OMAR)
    clock.tick()
    bench.add_action(ev.id, "2", "Publicera åtaganden", by=ANNA)
    events = history(bench, ev.id, "2")
    assert [(e.who, e.what) for e in events][:2] == [(ANNA, "action 2.a added"), (OMAR, "consensus 2.1 8")]
    assert history(bench, ev.id, "2.1")[0].what == "consensus 2.1 8"


def test_an_evaluation_with_no_changes_has_no_history_yet(tmp_path, monkeypatch):
    bench = Workbench(tmp_path / "db")
    ev = bench.create("Upplands Väsby", 2026)
    assert history(bench, ev.id, "1.1") == []
    assert run("history", ev.id, "1.1", "--db", bench.folder).stdout.strip() == "no history yet"


def test_an_unknown_question_is_one_line_naming_the_ids(bench):
    ev = bench.create("Upplands Väsby", 2026)
    with pytest.raises(InputError, match=r"no sub-question or area '9\.9'.*1\.1 … "):
        history(bench, ev.id, "9.9")
    result = run("history", ev.id, "9.9", "--db", bench.folder, code=1)
    assert len(result.stderr.strip().splitlines()) == 1 and "9.9" in result.stderr and not result.stdout
    sv = run("history", ev.id, "9.9", "--db", bench.folder, "--lang", "sv", code=1)
    assert sv.stderr.startswith("kompass: ingen delfråga")


def test_an_unknown_evaluation_is_not_found(bench):
    with pytest.raises(NotFound):
        history(bench, "nowhere-2026")
    run("history", "nowhere-2026", "--db", bench.folder, code=1)


def test_a_hostile_name_prints_without_its_escape_and_with_its_brackets(tmp_path, remote, clock):
    hostile = "Eve\x1b[2J [bold]x[/]"
    laptops, eid = team(tmp_path, remote, (ANNA, hostile))
    laptops[hostile].score(eid, "1.1", Decimal(5), by=hostile)
    Sync(laptops[hostile]).sync(hostile)
    Sync(laptops[ANNA]).sync(ANNA)
    for bench in laptops.values():
        out = run("history", eid, "1.1", "--db", bench.folder).stdout
        assert "\x1b" not in out and "[bold]x[/]" in out and "1.1 5" in out
    unshared = Workbench(tmp_path / "alone")
    ev = unshared.create("Upplands Väsby", 2026)
    unshared.score(ev.id, "1.1", Decimal(5), by=hostile)
    out = run("history", ev.id, "--db", unshared.folder).stdout
    assert "\x1b" not in out and "[bold]x[/]" in out


def test_events_of_one_commit_and_one_person_are_one_line():
    events = [
        Event("2026-11-30T14:02:00+01:00", ANNA, "1.1 30", "1.1", "c1"),
        Event("2026-11-30T14:02:00+01:00", ANNA, "note on 1.2", "1.2", "c1"),
        Event("2026-11-30T14:02:00+01:00", OMAR, "1.1 32", "1.1", "c1"),
    ]
    lines = grouped(events)
    assert [(e.who, e.what, e.question) for e in lines] == [(ANNA, "1.1 30 · note on 1.2", ""), (OMAR, "1.1 32", "1.1")]
