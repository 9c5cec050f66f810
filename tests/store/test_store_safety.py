"""The database on a shared server: other users' folders and planted links are refused, files are
private from the start, a busy lock says so and gives up, a damaged index is rebuilt, a batch is all
or nothing (even under SIGKILL), and exports never write through a link or into a FIFO."""

from __future__ import annotations

import dataclasses
import errno
import fcntl
import json
import os
import random
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import snapshot_files

from kompass_tui import paths
from kompass_tui.core import model
from kompass_tui.errors import InputError, NotFound, StoreError
from kompass_tui.service import Workbench
from kompass_tui.store import criteria, files, folder
from kompass_tui.store import database as store

NOBODY = 65534
ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="needs root to make files of another user (os.chown to uid 65534)")
DEMO_IDS = {"botkyrka-2003", "kalix-2003", "nacka-2003", "trollhattan-2003", "vasteras-2003"}


def one_line(exc: pytest.ExceptionInfo) -> str:
    message = str(exc.value)
    assert "\n" not in message and message, message
    return message


def everything_refused(folder: Path, match: str) -> None:
    """Reading, listing, writing and creating in a fresh session: each refused with one line."""
    bench = Workbench(folder)
    actions = {
        "list": bench.rows,
        "read": lambda: bench.get("botkyrka-2003"),
        "save": lambda: bench.score("botkyrka-2003", "1.1", Decimal("3")),
        "create": lambda: bench.create("Nacka", 2010),
        "versions": lambda: bench.versions("botkyrka-2003"),
    }
    for name, action in actions.items():
        with pytest.raises(StoreError) as caught:
            action()
        assert match in one_line(caught), (name, str(caught.value))


# ---------------------------------------------------------------- 1. the folder must be yours


def _chown(path: Path) -> None:
    os.chown(path, NOBODY, NOBODY, follow_symlinks=False)


def _evaluations_elsewhere(db: Path) -> Path:
    outside = db.parent / "elsewhere"
    shutil.move(db / "evaluations", outside)
    (db / "evaluations").symlink_to(outside, target_is_directory=True)
    return outside


FOLDERS = {
    "another user's folder": (lambda db: _chown(db), "belongs to another user (nobody", True),
    "a 0777 folder": (
        lambda db: db.chmod(0o777),
        "is writable by other users (mode 0777); Kompass keeps interview notes there: run chmod 700",
        False,
    ),
    "a 0770 folder": (lambda db: db.chmod(0o770), "is writable by its group (mode 0770)", False),
    "a 0702 folder": (lambda db: db.chmod(0o702), "is writable by other users (mode 0702)", False),
    "evaluations/ 0777": (
        lambda db: (db / "evaluations").chmod(0o777),
        "evaluations is writable by other users (mode 0777)",
        False,
    ),
    "evaluations/ another user's": (lambda db: _chown(db / "evaluations"), "evaluations belongs to another user", True),
    "evaluations/ a symlink": (_evaluations_elsewhere, "evaluations is a symbolic link", False),
    "backups/ another user's": (lambda db: _chown(db / "backups"), "backups belongs to another user", True),
    "backups/ 0777": (lambda db: (db / "backups").chmod(0o777), "backups is writable by other users", False),
}


@pytest.mark.parametrize("case", FOLDERS)
def test_a_folder_others_own_or_can_write_is_refused_and_nothing_is_written(demo, case):
    damage, message, root_only = FOLDERS[case]
    if root_only and not ROOT:
        pytest.skip("needs root to make a folder of another user (os.chown to uid 65534)")
    demo.score("botkyrka-2003", "1.1", Decimal("30"))  # so there is a backups/ folder
    damage(demo.folder)
    outside = demo.folder.parent / "elsewhere"
    before = snapshot_files(demo.folder), snapshot_files(outside)
    everything_refused(demo.folder, message)
    assert (snapshot_files(demo.folder), snapshot_files(outside)) == before


def test_the_database_folder_may_be_reached_through_the_users_own_link(demo, tmp_path):
    link = tmp_path / "shortcut"
    link.symlink_to(demo.folder, target_is_directory=True)
    bench = Workbench(link)
    bench.score("botkyrka-2003", "1.1", Decimal("30"))
    assert {r.id for r in bench.rows()} == DEMO_IDS
    assert str(Workbench(demo.folder).get("botkyrka-2003").answer("1.1").score) == "30"


def test_a_new_database_folder_is_made_private_and_checked_once_per_session(bench, monkeypatch):
    bench.create("Nacka", 2010)
    bench.score("nacka-2010", "1.1", Decimal("2"))
    assert stat.S_IMODE(bench.folder.stat().st_mode) == 0o700
    checked = []
    original = store.Database._check_folder
    monkeypatch.setattr(
        store.Database,
        "_check_folder",
        staticmethod(lambda folder, info: (checked.append(folder.name), original(folder, info))),
    )
    fresh = Workbench(bench.folder)
    fresh.rows()
    fresh.score("nacka-2010", "1.1", Decimal("3"))
    fresh.get("nacka-2010")
    fresh.score("nacka-2010", "1.1", Decimal("4"))
    # once, four folders, not per change nor per file; and backups/<id>/ where a version is kept
    assert checked[:4] == ["db", "evaluations", "backups", "index"] and set(checked[4:]) == {"nacka-2010"}


# ---------------------------------------------------------------- 2. no planted link is followed


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    return folder


def test_a_link_planted_at_an_evaluation_file_is_not_followed(demo, outside):
    demo.text("kalix-2003", "summary", "kept")  # so there is a version to restore
    demo.rows()
    path = demo.folder / "evaluations" / "kalix-2003.json"
    target = outside / "victim.json"
    shutil.copy(path, target)  # a valid evaluation: following the link would work
    path.unlink()
    path.symlink_to(target)
    before = target.read_bytes(), snapshot_files(demo.folder)
    bench = Workbench(demo.folder)
    for action in (
        lambda: bench.get("kalix-2003"),
        lambda: bench.text("kalix-2003", "summary", "changed"),
        lambda: bench.delete("kalix-2003"),
        lambda: bench.restore("kalix-2003"),
    ):
        with pytest.raises(StoreError) as caught:
            action()
        assert (
            one_line(caught)
            == f"{path} is a symbolic link; Kompass does not follow links inside its database: remove it"
        )
    assert (target.read_bytes(), snapshot_files(demo.folder)) == before
    rows = {r.id: r for r in bench.rows()}
    assert (
        "is a symbolic link; Kompass does not follow links inside its database: remove it" in rows["kalix-2003"].error
    )
    assert str(rows["botkyrka-2003"].total) == "639"  # the others are listed as usual
    assert target.read_bytes() == before[0] and path.is_symlink() and os.listdir(outside) == ["victim.json"]


def test_a_link_planted_at_a_kept_versions_folder_is_not_followed(demo, outside):
    (demo.folder / "backups").mkdir(mode=0o700, exist_ok=True)
    link = demo.folder / "backups" / "botkyrka-2003"
    link.symlink_to(outside, target_is_directory=True)
    before = snapshot_files(demo.folder)
    bench = Workbench(demo.folder)
    with pytest.raises(StoreError) as caught:
        bench.score("botkyrka-2003", "1.1", Decimal("30"))
    assert "backups/botkyrka-2003 is a symbolic link" in one_line(caught)
    with pytest.raises(StoreError, match="is a symbolic link"):
        bench.versions("botkyrka-2003")
    with pytest.raises(StoreError, match="is a symbolic link"):
        bench.delete("botkyrka-2003")
    assert os.listdir(outside) == []  # nothing landed outside
    assert snapshot_files(demo.folder) == before
    assert "botkyrka-2003" not in bench.backed_up()  # a link is not a folder of kept versions


def test_a_link_planted_at_a_kept_version_is_not_read(demo, outside):
    demo.score("botkyrka-2003", "1.1", Decimal("30"))
    [kept] = (demo.folder / "backups" / "botkyrka-2003").iterdir()
    shutil.copy(kept, outside / "old.json")
    kept.unlink()
    kept.symlink_to(outside / "old.json")
    with pytest.raises(StoreError) as caught:
        Workbench(demo.folder).versions("botkyrka-2003")
    assert "is a symbolic link" in one_line(caught)


def test_a_link_planted_at_the_index_is_refused(demo, outside):
    index = demo.folder / "kompass.json"
    demo.rows()
    shutil.move(index, outside / "index.json")
    index.symlink_to(outside / "index.json")
    before = snapshot_files(outside), snapshot_files(demo.folder)
    everything_refused(
        demo.folder, "kompass.json is a symbolic link; Kompass does not follow links inside its database"
    )
    assert (snapshot_files(outside), snapshot_files(demo.folder)) == before


def test_a_link_planted_at_the_lock_file_is_refused_and_nothing_is_written_through_it(demo, outside):
    lock = demo.folder / ".lock"
    victim = outside / "victim.txt"
    victim.write_text("precious\n")
    lock.unlink()
    lock.symlink_to(victim)
    before = snapshot_files(demo.folder)
    bench = Workbench(demo.folder)
    for action in (lambda: bench.score("botkyrka-2003", "1.1", Decimal("30")), lambda: bench.create("Nacka", 2010)):
        with pytest.raises(StoreError) as caught:
            action()
        assert ".lock is a symbolic link" in one_line(caught)
    assert victim.read_text() == "precious\n" and lock.is_symlink()
    assert snapshot_files(demo.folder) == before


def test_a_fifo_planted_at_an_evaluation_file_does_not_hang(demo):
    path = demo.folder / "evaluations" / "kalix-2003.json"
    path.unlink()
    os.mkfifo(path, 0o600)
    with pytest.raises(StoreError) as caught:
        Workbench(demo.folder).get("kalix-2003")
    assert "is a FIFO (named pipe)" in one_line(caught)


@needs_root
@pytest.mark.parametrize("where", ["evaluations/kalix-2003.json", "kompass.json", ".lock"])
def test_a_file_of_another_user_in_the_database_is_not_opened(demo, where):
    demo.rows()
    _chown(demo.folder / where)
    before = snapshot_files(demo.folder)
    bench = Workbench(demo.folder)
    action = (
        (lambda: bench.get("kalix-2003"))
        if where.startswith("evaluations")
        else (lambda: bench.text("kalix-2003", "summary", "x"))
    )
    with pytest.raises(StoreError) as caught:
        action()
    assert f"{where} belongs to another user (nobody" in one_line(caught)
    assert snapshot_files(demo.folder) == before


# ---------------------------------------------------------------- 3. private from the start


@pytest.fixture(params=[0o000, 0o022], ids=["umask 000", "umask 022"])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def test_every_file_and_folder_is_private_from_the_start(umask, bench, tmp_path, monkeypatch):
    bench.create("Botkyrka", 2003)
    bench.score("botkyrka-2003", "1.1", Decimal("30"))  # a kept version, by hard link
    kept_before = set((bench.folder / "backups" / "botkyrka-2003").iterdir())

    made = []
    real_mkstemp = tempfile.mkstemp

    def watched_mkstemp(*args, **kwargs):  # the copy must be private the moment it exists
        fd, name = real_mkstemp(*args, **kwargs)
        made.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return fd, name

    def no_links(*args, **kwargs):
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))

    with monkeypatch.context() as patch:  # (monkeypatch.undo would drop the test's KOMPASS_HOME too)
        patch.setattr(os, "link", no_links)  # another file system: the copy fallback
        patch.setattr(tempfile, "mkstemp", watched_mkstemp)
        bench.score("botkyrka-2003", "1.1", Decimal("31"))
    assert made and set(made) == {0o600}
    [copy] = set((bench.folder / "backups" / "botkyrka-2003").iterdir()) - kept_before
    assert copy.stat().st_nlink == 1  # a copy, not a link
    assert str(bench.versions("botkyrka-2003")[0][2].answer("1.1").score) == "30"  # the copy reads back

    bench.rows()  # the index
    framework = tmp_path / "mini.toml"
    framework.write_text(
        (paths.bundled_criteria_dir() / "kommunkompassen-2003.toml")
        .read_text(encoding="utf-8")
        .replace('id = "kommunkompassen-2003"', 'id = "umask-2020"'),
        encoding="utf-8",
    )
    installed = criteria.add(framework)
    export = tmp_path / "out" / "export.md"
    export.parent.mkdir()
    files.write_file(export, b"# report\n")

    home = paths.data_home()
    folders = [bench.folder, *[p for p in bench.folder.rglob("*") if p.is_dir()], home, installed.path.parent]
    created = [p for p in bench.folder.rglob("*") if p.is_file()] + [installed.path, export]
    assert {str(f): oct(stat.S_IMODE(f.stat().st_mode)) for f in folders} == {str(f): "0o700" for f in folders}
    assert {str(f): oct(stat.S_IMODE(f.stat().st_mode)) for f in created} == {str(f): "0o600" for f in created}
    assert len(created) >= 7 and (bench.folder / ".lock") in created and copy in created


def test_a_framework_is_installed_synced_with_no_temp_file_left_behind(tmp_path, monkeypatch):
    synced = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    framework = tmp_path / "mini.toml"
    framework.write_text(
        (paths.bundled_criteria_dir() / "kommunkompassen-2003.toml")
        .read_text(encoding="utf-8")
        .replace('id = "kommunkompassen-2003"', 'id = "synced-2020"'),
        encoding="utf-8",
    )
    fw = criteria.add(framework)
    assert synced  # the file (and its folder) reached the disk before it counted as installed
    assert sorted(p.name for p in fw.path.parent.iterdir()) == ["synced-2020.toml"]


# ---------------------------------------------------------------- 4. a busy lock says so and gives up


def hold_lock(folder: Path, pid: int | None) -> int:
    """Take the lock as another session would: its own open file description, flock, its PID."""
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.ftruncate(fd, 0)
    if pid is not None:
        os.pwrite(fd, f"{pid}\n".encode(), 0)
    return fd


@pytest.mark.parametrize("pid", [4242, None], ids=["pid known", "pid unknown"])
def test_a_change_waiting_for_the_lock_is_told_then_gives_up_changing_nothing(demo, monkeypatch, pid):
    monkeypatch.setattr(folder, "WAIT_NOTICE", 0.02)
    demo.rows()
    fd = hold_lock(demo.folder, pid)
    try:
        before = snapshot_files(demo.folder)
        told = []
        bench = Workbench(demo.folder)
        bench.db.wait, bench.db.on_wait = 0.3, told.append
        started = time.monotonic()
        with pytest.raises(StoreError) as caught:
            bench.score("botkyrka-2003", "1.1", Decimal("30"))
        assert time.monotonic() - started >= 0.3
        who = f"another Kompass session (PID {pid})" if pid else "another Kompass session"
        assert one_line(caught) == (
            f"{who} has held the database for 0.3 s; nothing was changed. Try again, or wait longer with --wait SECONDS"
        )
        assert told == [pid]  # once
        assert snapshot_files(demo.folder) == before
        listed = Workbench(demo.folder)
        listed.db.wait = 0.05
        assert {r.id for r in listed.rows()} == DEMO_IDS  # a listing still works, from the files
    finally:
        os.close(fd)


def test_a_change_goes_ahead_once_the_other_session_lets_go(demo, monkeypatch):
    monkeypatch.setattr(folder, "WAIT_NOTICE", 0.01)
    fd = hold_lock(demo.folder, 4242)
    told = []

    def other_session_finishes(pid):
        told.append(pid)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    bench = Workbench(demo.folder)
    bench.db.wait, bench.db.on_wait = 30, other_session_finishes
    bench.score("botkyrka-2003", "1.1", Decimal("30"))
    assert told == [4242]
    assert str(Workbench(demo.folder).get("botkyrka-2003").answer("1.1").score) == "30"
    assert (demo.folder / ".lock").read_text() == f"{os.getpid()}\n"  # the holder says who it is


def test_no_wait_at_all_and_re_entrant_locking_still_work(demo):
    bench = Workbench(demo.folder)
    bench.db.wait = 0
    with bench.db.locked():
        with bench.db.locked():  # re-entrant: never waits for itself
            bench.score("botkyrka-2003", "1.1", Decimal("30"))
        fd = os.open(demo.folder / ".lock", os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held for real while inside
        finally:
            os.close(fd)
    other = Workbench(demo.folder)
    other.db.wait = 0
    other.score("botkyrka-2003", "1.1", Decimal("31"))  # free again


# ---------------------------------------------------------------- 5. a damaged index is rebuilt


META = {"_meta": {"1": {"app": "kompass", "kind": "index", "schema": files.SCHEMA}}}


def _index(body) -> bytes:
    return json.dumps({**META, "evaluations": body}).encode()


GARBAGE = {
    "not JSON": b'{"_meta": ',
    "binary": b"\xff\xfe\x00garbage",
    "empty file": b"",
    "evaluations is a list": _index([]),
    "evaluations is a text": _index("lots"),
    "a row is a list": _index({"1": ["kalix-2003"]}),
    "a row without id": _index({"1": {"fp": [1, 2, 3, 4]}}),
    "id not a text": _index({"1": {"id": 7, "fp": [1, 2, 3, 4]}}),
    "fp not a list": _index({"1": {"id": "kalix-2003", "fp": "abc"}}),
    "fp of texts": _index({"1": {"id": "kalix-2003", "fp": ["a", "b", "c", "d"]}}),
    "year a text": _index({"1": {"id": "kalix-2003", "fp": [1, 2, 3, 4], "year": "2003"}}),
    "municipality a number": _index({"1": {"id": "kalix-2003", "fp": [1, 2, 3, 4], "municipality": 5}}),
    "total not a number": _index({"1": {"id": "kalix-2003", "fp": [1, 2, 3, 4], "total": "lots"}}),
    "areas a list": _index({"1": {"id": "kalix-2003", "fp": [1, 2, 3, 4], "areas": [1]}}),
    "an area score no summary holds": _index(
        {"1": {"id": "kalix-2003", "fp": [1, 2, 3, 4], "areas": {"1": "1e999999999"}}}
    ),
    "a negative total": _index({"1": {"id": "kalix-2003", "fp": [1, 2, 3, 4], "total": "-5"}}),
    "fp null": _index({"1": {"id": "kalix-2003", "fp": None}}),
    "year a boolean": _index({"1": {"id": "kalix-2003", "fp": [1, 2, 3, 4], "year": True}}),
    "an area score a number": _index({"1": {"id": "kalix-2003", "fp": [1, 2, 3, 4], "areas": {"1": 5}}}),
}


@pytest.mark.parametrize("case", GARBAGE)
def test_a_damaged_index_is_set_aside_and_rebuilt(demo, case):
    index = demo.folder / "kompass.json"
    index.write_bytes(GARBAGE[case])
    bench = Workbench(demo.folder)
    rows = {r.id: r for r in bench.rows()}
    assert set(rows) == DEMO_IDS and not any(r.error for r in rows.values())
    assert rows["botkyrka-2003"].total == Decimal("639") and rows["vasteras-2003"].area_level
    assert (demo.folder / "kompass.json.broken").read_bytes() == GARBAGE[case]  # kept for inspection
    rebuilt = index.read_bytes()
    assert json.loads(rebuilt)["evaluations"] == {}  # a header: the rows are in the index's parts
    parts = {p.name: p.read_bytes() for p in (demo.folder / "index").iterdir()}
    assert sum(len(json.loads(raw)["evaluations"]) for raw in parts.values()) == len(DEMO_IDS)
    assert {r.id for r in Workbench(demo.folder).rows()} == DEMO_IDS
    assert index.read_bytes() == rebuilt  # rebuilt once: the next listing finds it good
    assert {p.name: p.read_bytes() for p in (demo.folder / "index").iterdir()} == parts
    assert stat.S_IMODE(os.stat(demo.folder / "kompass.json.broken").st_mode) == 0o600
    demo.score("botkyrka-2003", "1.1", Decimal("30"))  # and saving works as ever


def test_a_second_damaged_index_replaces_the_older_one_set_aside(demo):
    index = demo.folder / "kompass.json"
    for garbage in (b"first", b"second"):
        index.write_bytes(garbage)
        assert {r.id for r in Workbench(demo.folder).rows()} == DEMO_IDS
    assert (demo.folder / "kompass.json.broken").read_bytes() == b"second"


def test_a_damaged_index_found_by_a_change_does_not_stop_it(demo):
    (demo.folder / "kompass.json").write_bytes(_index([]))
    Workbench(demo.folder).score("botkyrka-2003", "1.1", Decimal("30"))
    assert {r.id for r in Workbench(demo.folder).rows()} == DEMO_IDS


REFUSED_INDEX = {
    "another program's": (b'{"_default": {"1": {"name": "x"}}}', "not a Kompass database file"),
    "a newer schema": (
        json.dumps({"_meta": {"1": {"app": "kompass", "kind": "index", "schema": 99}}, "evaluations": []}).encode(),
        "newer Kompass (schema 99",
    ),
    "a JSON list": (b"[]", "expected a JSON object"),
    "an evaluation file's meta": (
        json.dumps({"_meta": {"1": {"app": "kompass", "kind": "evaluation", "schema": 2}}}).encode(),
        "is a Kompass 'evaluation' file, not 'index'",
    ),
}


@pytest.mark.parametrize("case", REFUSED_INDEX)
def test_an_index_of_another_program_or_a_newer_kompass_is_still_refused(demo, case):
    raw, message = REFUSED_INDEX[case]
    (demo.folder / "kompass.json").write_bytes(raw)
    before = snapshot_files(demo.folder)
    everything_refused(demo.folder, message)
    assert snapshot_files(demo.folder) == before and not (demo.folder / "kompass.json.broken").exists()


def test_garbage_without_evaluation_files_is_refused_not_replaced(db_path):
    db_path.mkdir(mode=0o700)
    (db_path / "kompass.json").write_bytes(_index([]))
    before = snapshot_files(db_path)
    everything_refused(db_path, "kompass.json is damaged ('evaluations' is not a table); it was left as it is")
    assert snapshot_files(db_path) == before


# ---------------------------------------------------------------- 6. all-or-nothing batches


def area_evaluations(count: int, taken: set[str]) -> list[dict]:
    docs = []
    for n in range(count):
        ev = model.Evaluation(
            id="",
            municipality=f"Ort {n}",
            year=2003,
            framework="kommunkompassen-2003",
            level=model.AREAS,
            areas={"1": model.AreaEntry(score=Decimal(n % 90))},
        )
        eid = model.unique_id(ev.municipality, ev.year, taken)
        taken.add(eid)
        docs.append(model.to_dict(dataclasses.replace(ev, id=eid)))
    return docs


def leftovers(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.name.endswith((".tmp", ".journal")))


def test_a_batch_creates_every_evaluation_with_one_sync(demo, monkeypatch):
    fsyncs, syncs = [], []
    real_fsync, real_sync = os.fsync, os.sync
    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", lambda fd: (fsyncs.append(fd), real_fsync(fd))[1])
        patch.setattr(os, "sync", lambda: (syncs.append(1), real_sync())[1])
        docs = demo.db.create_many(lambda taken: area_evaluations(400, set(taken)))
    assert len(docs) == 400 and len({d["id"] for d in docs}) == 400
    assert len(syncs) == 1 and len(fsyncs) <= 6  # the journal and folders; never one per file
    rows = {r.id: r for r in Workbench(demo.folder).rows()}
    assert set(rows) == DEMO_IDS | {d["id"] for d in docs}
    assert rows["ort-7-2003"].areas["1"] == "7" and rows["ort-7-2003"].area_level
    assert leftovers(demo.folder) == []
    assert all(stat.S_IMODE((demo.folder / "evaluations" / f"{d['id']}.json").stat().st_mode) == 0o600 for d in docs)


def test_a_batch_with_a_taken_or_repeated_id_changes_nothing(demo):
    before = snapshot_files(demo.folder)
    for ids, message in (
        (["new-1", "kalix-2003"], "'kalix-2003' exists already"),
        (["new-1", "new-1"], "'new-1' exists already"),
        (["new-1", "../x"], "cannot store an evaluation with id '../x'"),
    ):
        with pytest.raises(StoreError) as caught:
            demo.db.create_many(lambda taken, ids=ids: [{"id": i} for i in ids])
        assert message in one_line(caught) and "nothing was changed" in str(caught.value)
    assert snapshot_files(demo.folder) == before and leftovers(demo.folder) == []


@pytest.mark.parametrize("failure", ["disk full", "ctrl+c"])
def test_a_batch_failing_in_the_middle_leaves_nothing(demo, monkeypatch, failure):
    before = snapshot_files(demo.folder)
    calls = []
    real = os.replace

    def third_fails(src, dst):
        calls.append(dst)
        if len(calls) == 3:  # the journal, one evaluation in place, and then
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)) if failure == "disk full" else KeyboardInterrupt()
        return real(src, dst)

    with (
        monkeypatch.context() as patch,
        pytest.raises(StoreError if failure == "disk full" else KeyboardInterrupt) as caught,
    ):
        patch.setattr(os, "replace", third_fails)
        demo.db.create_many(lambda taken: area_evaluations(20, set(taken)))
    if failure == "disk full":
        assert one_line(caught) == "could not store the 20 evaluations: No space left on device; nothing was changed"
    assert len(calls) == 3 and str(calls[1]).endswith(".json") and "evaluations" in str(calls[1])
    assert snapshot_files(demo.folder) == before
    assert leftovers(demo.folder) == []
    assert {r.id for r in Workbench(demo.folder).rows()} == DEMO_IDS


def _interrupted_batch(demo, monkeypatch) -> list[str]:
    """The state a SIGKILL leaves after the first rename: the journal, one file in place, temps."""
    real = os.replace
    calls = []

    def killed(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise SystemExit("killed")
        return real(src, dst)

    docs: list[dict] = []
    with monkeypatch.context() as patch, pytest.raises(SystemExit):
        patch.setattr(os, "replace", killed)
        patch.setattr(store.Database, "_undo_batch", lambda *args: None)  # a killed process undoes nothing
        demo.db.create_many(lambda taken: docs.extend(area_evaluations(10, set(taken))) or docs)
    return [d["id"] for d in docs]


@pytest.mark.parametrize("next_session", ["a change", "a listing", "a read"])
def test_a_batch_left_by_a_killed_session_is_rolled_back_by_the_next(demo, monkeypatch, next_session):
    before = snapshot_files(demo.folder)
    ids = _interrupted_batch(demo, monkeypatch)
    journals = list(demo.folder.glob(".batch-*.journal"))
    assert len(journals) == 1 and (demo.folder / "evaluations" / f"{ids[0]}.json").exists()
    assert [p for p in leftovers(demo.folder) if p.endswith(".tmp")]
    bench = Workbench(demo.folder)
    if next_session == "a change":
        bench.score("botkyrka-2003", "1.1", Decimal("30"))
        assert bench.db.ids() == DEMO_IDS
    elif next_session == "a read":  # no one sees part of an import that a kill cut short
        with pytest.raises(NotFound):
            bench.get(ids[0])
        assert bench.db.ids() == DEMO_IDS
    else:
        assert {r.id for r in bench.rows()} == DEMO_IDS
        assert snapshot_files(demo.folder) == before | {"kompass.json": snapshot_files(demo.folder)["kompass.json"]}
    assert leftovers(demo.folder) == []


BATCHES = """
import os, sys, time
from kompass_tui.store import Database
folder, tag, at = sys.argv[1], sys.argv[2], int(sys.argv[3])
renamed = 0
real_replace = os.replace

def replace(src, dst):  # with at: say when rename number `at` is reached, and rename slowly from there
    global renamed
    if at and os.path.dirname(dst).endswith("evaluations"):
        renamed += 1
        if renamed == at:
            print("renaming", flush=True)
        if renamed >= at:
            time.sleep(0.001)
    return real_replace(src, dst)

os.replace = replace
db = Database(folder)
k = 0
while True:
    db.create_many(lambda taken: [{"id": f"{tag}-b{k}-{i}", "batch": k} for i in range(300)])
    print(k, flush=True)
    k += 1
"""


def _read_line(child: subprocess.Popen) -> bytes:
    ready, _, _ = select.select([child.stdout], [], [], 60)
    assert ready, "the child said nothing for a minute"
    return child.stdout.readline()


def test_sigkill_at_random_moments_leaves_each_batch_whole_or_absent(db_path):
    """Ten kills: five at a random moment once a first batch is done (mostly while temp files are
    written or synced), five among the renames (the child says when it reaches a random rename).
    After each, opening the database leaves every batch whole or gone."""
    rng = random.Random(11)
    store.Database(db_path).create_many(lambda taken: [{"id": "first"}])
    journals_seen = partial_seen = 0
    for round_ in range(10):
        at = 300 * rng.randint(0, 1) + rng.randint(1, 200) if round_ % 2 else 0
        child = subprocess.Popen(
            [sys.executable, "-c", BATCHES, str(db_path), f"r{round_}", str(at)], stdout=subprocess.PIPE
        )
        try:
            if at:
                while _read_line(child).strip() != b"renaming":
                    pass
            else:
                assert _read_line(child), "the child never completed a batch"
                time.sleep(rng.uniform(0, 0.25))  # a random moment in the batches that follow
        finally:
            child.kill()
            child.wait(30)
            child.stdout.close()
        journals_seen += bool(list(db_path.glob(".batch-*.journal")))
        in_place: dict[str, int] = {}
        for name in os.listdir(db_path / "evaluations"):
            if name.startswith(f"r{round_}-"):
                batch = name.rsplit("-", 1)[0]
                in_place[batch] = in_place.get(batch, 0) + 1
        partial_seen += any(n != 300 for n in in_place.values())
        db = store.Database(db_path)
        listed = {row["id"] for row in db.rows()}  # opening the database finishes what the kill left
        batches: dict[str, int] = {}
        for eid in listed - {"first"}:
            batch = eid.rsplit("-", 1)[0]
            batches[batch] = batches.get(batch, 0) + 1
        assert set(batches.values()) <= {300}, (round_, {b: n for b, n in batches.items() if n != 300})
        assert db.ids() == listed and "first" in listed
        assert leftovers(db_path) == []
        assert all(db.read(eid)["id"] == eid for eid in sorted(listed)[::97])
    assert journals_seen >= 5 and partial_seen >= 3, (journals_seen, partial_seen)  # the kills did land inside batches
    print(f"kills inside a batch: {journals_seen}/10, with part of a batch in place: {partial_seen}")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_signal_during_the_renames_ends_the_process_only_once_the_batch_is_complete(db_path, signum):
    store.Database(db_path).create_many(lambda taken: [{"id": "first"}])
    child = subprocess.Popen([sys.executable, "-c", BATCHES, str(db_path), "s", "100"], stdout=subprocess.PIPE)
    try:
        while _read_line(child).strip() != b"renaming":
            pass
        child.send_signal(signum)  # 200 slow renames still to go
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)
        child.stdout.close()
    assert child.returncode != 0
    assert list(db_path.glob(".batch-*.journal")) == []  # complete: nothing for the next session to undo
    placed = [n for n in os.listdir(db_path / "evaluations") if n.startswith("s-b0-")]
    assert len(placed) == 300


# ---------------------------------------------------------------- 7. export targets


def test_an_export_is_written_atomically_and_private(tmp_path):
    target = tmp_path / "report.md"
    assert files.write_file(target, b"new") is False
    assert target.read_bytes() == b"new" and stat.S_IMODE(target.stat().st_mode) == 0o600
    target.chmod(0o644)
    inode = target.stat().st_ino
    assert files.write_file(target, b"newer") is True
    assert target.read_bytes() == b"newer" and target.stat().st_ino != inode
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [n for n in os.listdir(tmp_path) if n.endswith(".tmp")] == []


TARGETS = {
    "a symbolic link": lambda p, victim: p.symlink_to(victim),
    "a FIFO (named pipe)": lambda p, victim: os.mkfifo(p),
    "a folder": lambda p, victim: p.mkdir(),
}


@pytest.mark.parametrize("kind", TARGETS)
def test_an_export_never_writes_through_a_link_into_a_fifo_or_over_a_folder(tmp_path, kind):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    target = tmp_path / "report.md"
    TARGETS[kind](target, victim)
    before = sorted(os.listdir(tmp_path)), os.lstat(target).st_ino
    with pytest.raises(InputError) as caught:
        files.write_file(target, b"report")
    assert one_line(caught) == f"{target} is {kind}; Kompass writes only regular files: choose another name"
    assert (sorted(os.listdir(tmp_path)), os.lstat(target).st_ino) == before
    assert victim.read_text() == "precious"


def test_an_export_that_cannot_be_written_says_why_in_one_line(tmp_path):
    with pytest.raises(InputError) as caught:
        files.write_file(tmp_path / "missing" / "report.md", b"x")
    assert one_line(caught) == f"cannot write {tmp_path / 'missing' / 'report.md'}: No such file or directory"


# ---------------------------------------------------------------- found by review


def test_a_kept_versions_folder_others_can_write_is_refused(demo):
    demo.score("botkyrka-2003", "1.1", Decimal("3"))
    folder = demo.folder / "backups" / "botkyrka-2003"
    folder.chmod(0o777)
    before = snapshot_files(demo.folder)
    for action in (
        lambda: Workbench(demo.folder).score("botkyrka-2003", "1.1", Decimal("4")),
        lambda: Workbench(demo.folder).versions("botkyrka-2003"),
    ):
        with pytest.raises(StoreError) as caught:
            action()
        assert "botkyrka-2003 is writable by other users (mode 0777)" in one_line(caught)
    assert snapshot_files(demo.folder) == before


def test_a_lock_file_with_another_name_is_refused_and_the_other_file_kept(demo, tmp_path):
    precious = tmp_path / "precious.txt"
    precious.write_text("mine\n")
    (demo.folder / ".lock").unlink()
    os.link(precious, demo.folder / ".lock")
    with pytest.raises(StoreError) as caught:
        Workbench(demo.folder).score("botkyrka-2003", "1.1", Decimal("3"))
    assert "is also another file (a hard link)" in one_line(caught)
    assert precious.read_text() == "mine\n"
