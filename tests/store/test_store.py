import errno
import json
import multiprocessing
import os
import re
import shutil
import stat
from decimal import Decimal

import pytest
from helpers import snapshot_files

from kompass_tui.errors import NotFound, StoreError
from kompass_tui.service import Workbench
from kompass_tui.store import database as store
from kompass_tui.store import files


def test_create_get_update_delete(bench):
    ev = bench.create("Botkyrka", 2003, evaluators=["Lena Langlet"])
    assert ev.id == "botkyrka-2003"
    assert bench.create("Botkyrka", 2003, again=True).id == "botkyrka-2003-2"  # (a second one, asked for)
    bench.score("botkyrka-2003", "2.1", Decimal("9.5"))
    assert Workbench(bench.folder).get("botkyrka-2003").answer("2.1").score == Decimal("9.5")
    bench.delete("botkyrka-2003-2")
    assert [r.id for r in bench.rows()] == ["botkyrka-2003"]
    with pytest.raises(NotFound, match="no evaluation 'botkyrka-2003-2'"):
        bench.get("botkyrka-2003-2")


def test_files_are_owner_only_and_no_temp_files_remain(bench):
    bench.create("Botkyrka", 2003)
    for _ in range(3):
        bench.score("botkyrka-2003", "1.1", Decimal("3"))
    assert stat.S_IMODE(bench.folder.stat().st_mode) == 0o700
    for path in bench.folder.rglob("*"):
        assert not path.name.endswith(".tmp"), path
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_the_file_is_a_tinydb_database_carrying_a_schema_version(bench):
    bench.create("Botkyrka", 2003)
    from tinydb import TinyDB

    db = TinyDB(bench.folder / "evaluations" / "botkyrka-2003.json", storage=files.AtomicJSONStorage)
    assert db.table("_meta").all() == [{"app": "kompass", "kind": "evaluation", "schema": files.SCHEMA}]
    assert db.table("evaluation").all()[0]["municipality"] == "Botkyrka"


def test_index_rows_list_progress_and_totals(demo):
    rows = {r.id: r for r in demo.rows()}
    assert str(rows["botkyrka-2003"].total) == "639" and rows["botkyrka-2003"].scored == 37
    assert rows["vasteras-2003"].total == Decimal("522.5") and rows["vasteras-2003"].area_level


def test_a_save_writes_its_file_and_its_row_in_one_part_of_the_index(demo):
    index, parts = demo.folder / "kompass.json", demo.folder / "index"
    demo.rows()
    header, before = index.read_bytes(), {p.name: p.read_bytes() for p in parts.iterdir()}
    demo.score("botkyrka-2003", "1.1", Decimal("40"))
    after = {p.name: p.read_bytes() for p in parts.iterdir()}
    assert index.read_bytes() == header
    changed = [name for name in before if after[name] != before[name]]
    assert len(changed) == 1  # the save wrote one part of the index, not the whole of it
    row = next(r for r in json.loads(after[changed[0]])["evaluations"].values() if r["id"] == "botkyrka-2003")
    assert row["total"] == "645" and row["areas"]["1"] == "89"
    rows = {r.id: r for r in Workbench(demo.folder).rows()}
    assert str(rows["botkyrka-2003"].total) == "645"
    assert {p.name: p.read_bytes() for p in parts.iterdir()} == after  # the listing found nothing to mend


def test_a_row_left_stale_by_a_crash_is_mended_by_the_next_listing(demo, monkeypatch):
    demo.rows()
    monkeypatch.setattr(store.Database, "_indexed", lambda self, eid, doc, before: None)  # killed just after the file
    demo.score("botkyrka-2003", "1.1", Decimal("40"))
    monkeypatch.undo()
    assert [row["total"] for row in Workbench(demo.folder).db.rows_of("BOTKYRKA")] == ["645"]  # one part, checked
    assert {r.id: str(r.total) for r in Workbench(demo.folder).rows()}["botkyrka-2003"] == "645"


def test_a_save_racing_a_rebuild_never_leaves_a_stale_row(demo, monkeypatch):
    other = Workbench(demo.folder)
    original = store.Database._read_with_stat
    raced = []

    def read_after_a_save(self, eid):
        if eid == "botkyrka-2003" and not raced:
            raced.append(eid)
            other.score("botkyrka-2003", "1.2", Decimal("40"))  # another session saves between scan and read
        return original(self, eid)

    (demo.folder / "kompass.json").unlink()  # force a rebuild of every row
    shutil.rmtree(demo.folder / "index")
    monkeypatch.setattr(store.Database, "_read_with_stat", read_after_a_save)
    Workbench(demo.folder).rows()
    monkeypatch.undo()
    assert raced
    for _ in range(2):
        assert {r.id: str(r.total) for r in Workbench(demo.folder).rows()}["botkyrka-2003"] == "643"


@pytest.mark.parametrize("damage", ["index deleted", "killed during set-up"])
def test_a_lost_index_is_rebuilt_from_the_evaluation_files(demo, damage):
    (demo.folder / "kompass.json").unlink()
    if damage == "killed during set-up":
        for path in (demo.folder / "evaluations").iterdir():
            path.unlink()
        demo.folder.joinpath(".lock").unlink()
    bench = Workbench(demo.folder)
    expected = {} if damage == "killed during set-up" else {"botkyrka-2003": "639", "kalix-2003": "408"}
    assert {r.id: str(r.total) for r in bench.rows() if r.id in expected} == expected
    assert (demo.folder / "kompass.json").exists()
    bench.create("Nacka", 2010)
    assert "nacka-2010" in {r.id for r in Workbench(demo.folder).rows()}


def test_an_index_replaced_by_a_foreign_file_mid_session_is_not_overwritten(demo):
    index = demo.folder / "kompass.json"
    demo.rows()
    index.write_text('{"_default": {}}')
    demo.score("botkyrka-2003", "1.1", Decimal("40"))  # the evaluation file is ours, and is saved
    assert index.read_text() == '{"_default": {}}'
    assert demo.get("botkyrka-2003").answer("1.1").score == 40
    with pytest.raises(StoreError, match="not a Kompass database file"):
        Workbench(demo.folder).rows()


def test_an_evaluation_deleted_during_a_rebuild_is_dropped_not_shown_as_an_error(demo):
    db = demo.db
    rows = db._repair({}, ["ghost-2003"], [], {"ghost-2003": [1, 2, 3, 4]})
    assert "ghost-2003" not in rows


def test_an_evaluation_file_removed_behind_the_index_disappears_from_the_list(demo):
    (demo.folder / "evaluations" / "kalix-2003.json").unlink()
    assert "kalix-2003" not in {r.id for r in Workbench(demo.folder).rows()}


def test_a_hand_made_copy_in_the_evaluations_folder_is_left_alone(demo):
    folder = demo.folder / "evaluations"
    (folder / "Kalix 2003 (kopia).json").write_bytes((folder / "kalix-2003.json").read_bytes())
    assert "Kalix 2003 (kopia)" not in {r.id for r in Workbench(demo.folder).rows()}
    assert (folder / "Kalix 2003 (kopia).json").exists()


def test_orphaned_temp_files_are_removed_under_the_lock(bench):
    bench.create("Botkyrka", 2003)
    orphan = bench.folder / "evaluations" / ".botkyrka-2003.json.abc123.tmp"
    orphan.write_text("{half")
    Workbench(bench.folder).score("botkyrka-2003", "1.1", Decimal("3"))
    assert not orphan.exists()


@pytest.mark.parametrize("failure", [errno.ENOSPC, errno.EACCES, errno.EROFS])
def test_a_failed_write_changes_nothing_and_says_so(demo, monkeypatch, failure):
    before = snapshot_files(demo.folder)

    def fail(*args, **kwargs):
        raise OSError(failure, os.strerror(failure))

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(StoreError, match="nothing was changed") as caught:
        demo.score("botkyrka-2003", "1.1", Decimal("40"))
    assert os.strerror(failure) in str(caught.value)
    monkeypatch.undo()
    assert snapshot_files(demo.folder) == before
    assert not list(demo.folder.rglob("*.tmp"))


REFUSED = {
    "a file": lambda p: p.write_text("hello"),
    "other files": lambda p: (p.mkdir(), (p / "thesis.docx").write_text("x")),
    "corrupt index": lambda p: (p.mkdir(), (p / "kompass.json").write_text('{"_meta": {"1": {"app": "kompass"')),
    "foreign tinydb": lambda p: (p.mkdir(), (p / "kompass.json").write_text('{"_default": {"1": {"name": "x"}}}')),
    "newer schema": lambda p: (
        p.mkdir(),
        (p / "kompass.json").write_text(
            json.dumps({"_meta": {"1": {"app": "kompass", "kind": "index", "schema": 99}}, "evaluations": {}})
        ),
    ),
    "index is a list": lambda p: (p.mkdir(), (p / "kompass.json").write_text("[]")),
    "index is a folder": lambda p: (p.mkdir(), (p / "kompass.json").mkdir()),
    "binary index": lambda p: (p.mkdir(), (p / "kompass.json").write_bytes(b"\xff\xfe\x00garbage")),
}
MESSAGES = {
    "a file": "is a file",
    "other files": "not a Kompass database",
    "corrupt index": "corrupt: not valid JSON (line 1",
    "foreign tinydb": "not a Kompass database file",
    "newer schema": "newer Kompass (schema 99",
    "index is a list": "expected a JSON object",
    "index is a folder": "is a folder",
    "binary index": "corrupt",
}


@pytest.mark.parametrize("case", REFUSED)
def test_foreign_corrupt_or_newer_databases_are_refused_and_left_alone(tmp_path, case):
    path = tmp_path / "db"
    REFUSED[case](path)
    before = snapshot_files(path)
    bench = Workbench(path)
    for action in (
        bench.rows,
        lambda: bench.get("botkyrka-2003"),
        lambda: bench.create("Botkyrka", 2003),
        bench.load_demo,
    ):
        with pytest.raises(StoreError, match=re.escape(MESSAGES[case])):
            action()
    assert snapshot_files(path) == before


def test_a_corrupt_evaluation_file_is_listed_with_its_problem_and_not_overwritten(demo):
    path = demo.folder / "evaluations" / "nacka-2003.json"
    path.write_text(
        '{"_meta": {"1": {"app": "kompass", "kind": "evaluation", "schema": 1}}, "evaluation": {"1": {"id": '
    )
    before = path.read_bytes()
    rows = {r.id: r for r in Workbench(demo.folder).rows()}
    assert "corrupt" in rows["nacka-2003"].error and str(rows["botkyrka-2003"].total) == "639"
    with pytest.raises(StoreError, match=r"nacka-2003\.json is corrupt"):
        demo.score("nacka-2003", "1", Decimal("3"))
    assert path.read_bytes() == before


def test_ids_cannot_escape_the_database_folder(bench):
    bench.create("Botkyrka", 2003)
    for bad in ("../kompass", "a/b", "", "Botkyrka-2003"):
        with pytest.raises(NotFound):
            bench.get(bad)


def _note_many(folder, question, count, barrier):
    bench = Workbench(folder)
    barrier.wait()
    for n in range(count):
        bench.note("botkyrka-2003", question, f"{question} edit {n}")


def test_concurrent_sessions_lose_no_update(demo):
    questions = ["1.1", "2.2", "3.3", "4.4"]
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(len(questions))
    procs = [ctx.Process(target=_note_many, args=(demo.folder, q, 40, barrier)) for q in questions]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    ev = Workbench(demo.folder).get("botkyrka-2003")
    assert {q: ev.answer(q).note for q in questions} == {q: f"{q} edit 39" for q in questions}
    assert str(ev.answer("1.1").score) == "34"  # the seed's score survived 160 edits of notes


def test_a_delete_and_an_edit_can_be_undone_from_kept_versions(demo):
    demo.score("botkyrka-2003", "1.1", Decimal("40"))
    demo.delete("botkyrka-2003")
    assert "botkyrka-2003" in demo.backed_up() and "botkyrka-2003" not in demo.db.ids()
    assert [str(ev.answer("1.1").score) for _, _, ev in demo.versions("botkyrka-2003")] == ["40", "34"]
    assert str(demo.restore("botkyrka-2003").answer("1.1").score) == "40"  # the delete is undone
    assert str(demo.restore("botkyrka-2003", 2).answer("1.1").score) == "34"  # and the edit
    assert str(Workbench(demo.folder).rows()[0].total) == "639"
    assert str(demo.restore("botkyrka-2003").answer("1.1").score) == "40"  # a restore is kept too


def test_kept_versions_rotate_and_are_owner_only(bench):
    bench.create("Nacka", 2010)
    for n in range(store.KEEP + 5):
        bench.score("nacka-2010", "1.1", Decimal(n))
    kept = list((bench.folder / "backups" / "nacka-2010").iterdir())
    assert len(kept) == store.KEEP
    assert all(stat.S_IMODE(p.stat().st_mode) & 0o077 == 0 for p in kept)
    assert [str(ev.answer("1.1").score) for _, _, ev in bench.versions("nacka-2010")][:2] == ["13", "12"]


def test_an_index_of_an_older_kompass_is_moved_into_its_parts_once(demo):
    """Kompass up to 0.1 kept every row in kompass.json: the next listing moves them into the parts
    (their fingerprints still hold, so no evaluation file is read again) and keeps a header."""
    index, parts = demo.folder / "kompass.json", demo.folder / "index"
    rows = [row for p in sorted(parts.iterdir()) for row in json.loads(p.read_text())["evaluations"].values()]
    header = json.loads(index.read_text())
    index.write_text(json.dumps({**header, "evaluations": {str(n): row for n, row in enumerate(rows, 1)}}))
    shutil.rmtree(parts)
    bench = Workbench(demo.folder)
    read = []
    bench.db._read_with_stat = lambda eid: read.append(eid)  # type: ignore[method-assign]
    assert {r.id: str(r.total) for r in bench.rows()}["botkyrka-2003"] == "639" and read == []
    assert json.loads(index.read_text())["evaluations"] == {}
    assert sum(len(json.loads(p.read_text())["evaluations"]) for p in parts.iterdir()) == len(rows)


def test_a_damaged_part_of_the_index_is_rebuilt_from_the_files(demo):
    parts = demo.folder / "index"
    broken = next(p for p in sorted(parts.iterdir()) if "botkyrka-2003" in p.read_text())
    broken.write_text('{"_meta": {"1": {"app": "kompass", "kind": "index", "schema": 2}}, "evaluations": [')
    assert [row["total"] for row in Workbench(demo.folder).db.rows_of("Botkyrka")] == ["639"]
    assert any(row["id"] == "botkyrka-2003" for row in json.loads(broken.read_text())["evaluations"].values())
    assert {r.id: str(r.total) for r in Workbench(demo.folder).rows()}["botkyrka-2003"] == "639"


def test_a_link_planted_at_a_part_of_the_index_is_refused_and_nothing_is_written_through_it(demo, tmp_path):
    part = next(p for p in sorted((demo.folder / "index").iterdir()) if "botkyrka-2003" in p.read_text())
    outside = tmp_path / "outside.json"
    outside.write_bytes(part.read_bytes())
    part.unlink()
    part.symlink_to(outside)
    before = outside.read_bytes()
    with pytest.raises(StoreError, match="is a symbolic link"):
        Workbench(demo.folder).rows()
    Workbench(demo.folder).score("botkyrka-2003", "1.1", Decimal("3"))  # the file is saved; its row waits
    assert outside.read_bytes() == before and part.is_symlink()
    assert Workbench(demo.folder).get("botkyrka-2003").answer("1.1").score == 3


def test_long_work_says_how_far_it_has_come(tmp_path):
    """An import of thousands reports each phase up to its end (the CLI draws a bar on a terminal)."""
    seen = []
    bench = Workbench(tmp_path / "db", progress=lambda what, done, total: seen.append((what, done, total)))
    csv = tmp_path / "areas.csv"
    csv.write_text(
        "Kommun;År;1;2\n" + "".join(f"Ort {n};2020;50;60\n" for n in range(1200)),
        encoding="utf-8",
    )
    assert len(bench.import_file(csv)) == 1200
    phases = [what for what, _, _ in seen]
    assert phases.index("checking") < phases.index("storing") < phases.index("indexing")
    for phase in ("checking", "storing", "indexing"):
        assert (phase, 1200, 1200) in seen  # each one to its end
    assert {r.id for r in Workbench(tmp_path / "db").rows()} >= {"ort-0-2020", "ort-1199-2020"}


def test_a_small_index_of_an_older_kompass_answers_for_one_municipality_before_any_listing(bench, monkeypatch):
    first, second = bench.create("Kalix", 2003), bench.create("Kalix", 2004)
    rows = bench.db.rows()
    index = bench.folder / "kompass.json"
    header = json.loads(index.read_text())
    index.write_text(json.dumps({**header, "evaluations": {str(n): r for n, r in enumerate(rows, 1)}}))
    shutil.rmtree(bench.folder / "index")
    fresh = Workbench(bench.folder)
    monkeypatch.setattr(store.Database, "locked", lambda self: (_ for _ in ()).throw(OSError(30, "read-only")))
    assert [row["id"] for row in fresh.db.rows_of("KALIX")] == [first.id, second.id]  # read-only: nothing moved
    monkeypatch.undo()
    assert [ev.id for ev in fresh.related(fresh.get(second.id))] == [first.id, second.id]


def test_a_number_hiding_a_separator_makes_the_part_rebuilt(demo):
    part = next(p for p in sorted((demo.folder / "index").iterdir()) if "kalix-2003" in p.read_text())
    data = json.loads(part.read_text())
    for row in data["evaluations"].values():
        if row["id"] == "kalix-2003":
            row["total"] = "1\x002"
    part.write_text(json.dumps(data))
    assert {r.id: str(r.total) for r in Workbench(demo.folder).rows()}["kalix-2003"] == "408"
