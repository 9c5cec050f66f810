"""A team's sync through git under faults and attack (issue 18's Done-when): a `kompass sync` killed
with SIGKILL at random points, again and again; files from the remote that are hostile, foreign or
broken; hooks, configuration and attributes that must never run; a umask that would open the
repository to others.

Every sync that is killed runs as a real child process (`python -m kompass_tui sync`) in its own
process group, and the whole group is killed, git's processes with it. The randomness is seeded
(SEED), so a failure reproduces; the delays are what the test is about, not a timing assertion."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from kompass_tui.core import model
from kompass_tui.core.model import Answer, AreaEntry, Entry, Evaluation
from kompass_tui.core.sanitize import MAX_TEXT, is_safe, visible
from kompass_tui.errors import InputError, KompassError
from kompass_tui.service import Workbench
from kompass_tui.service.sync import Sync
from kompass_tui.store.files import evaluation_bytes, evaluation_from_bytes
from kompass_tui.store.gitrepo import ATTRIBUTES, ATTRIBUTES_TEXT, Git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

ANNA, OMAR = "Anna Berg", "Omar Said"
SEED = 18
KILLS = 30
OUTSIDER = {  # a plain git user outside Kompass: explicit identity, no user or system configuration
    "GIT_AUTHOR_NAME": "Mallory",
    "GIT_AUTHOR_EMAIL": "mallory@example.org",
    "GIT_COMMITTER_NAME": "Mallory",
    "GIT_COMMITTER_EMAIL": "mallory@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
STALE_LOCKS = "a sync killed while git holds a lock file leaves it behind, and every later sync fails on it"


# ---------------------------------------------------------------- a remote, laptops, processes


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True, env=_outsider())
    return bare


def team(tmp_path: Path, remote: Path) -> tuple[dict[str, Workbench], str]:
    """Two laptops sharing one evaluation: Anna made it and shared it, Omar joined."""
    laptops = {name: Workbench(tmp_path / name.split()[0].lower()) for name in (ANNA, OMAR)}
    ev = laptops[ANNA].create("Upplands Väsby", 2026, evaluators=[ANNA, OMAR])
    for name, bench in laptops.items():
        Sync(bench).setup(str(remote), name)
    return laptops, ev.id


def _outsider() -> dict[str, str]:
    return {**os.environ, **OUTSIDER}


def git_bytes(*args: str | Path, cwd: Path | None = None) -> bytes:
    """Plain git, as someone outside Kompass runs it; its output."""
    done = subprocess.run(["git", *map(str, args)], cwd=cwd, env=_outsider(), capture_output=True, check=False)
    assert done.returncode == 0, f"git {' '.join(map(str, args))}: {done.stderr.decode(errors='replace')}"
    return done.stdout


def git(*args: str | Path, cwd: Path | None = None) -> str:
    return git_bytes(*args, cwd=cwd).decode("utf-8").strip()


def intruder(tmp_path: Path, remote: Path, name: str = "intruder") -> Path:
    """A plain clone of the team's remote, outside Kompass."""
    folder = tmp_path / name
    git("clone", "-q", remote, folder)
    return folder


def push(clone: Path, message: str, *paths: str) -> str:
    """Commit everything in the clone (or the paths given) and push it; the commit's id."""
    git("add", "-A", "--", *(paths or ["."]), cwd=clone)
    git("commit", "-q", "-m", message, cwd=clone)
    git("push", "-q", "origin", "HEAD:main", cwd=clone)
    return git("rev-parse", "HEAD", cwd=clone)


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "KOMPASS_HOME": str(tmp_path / "home"),
        "KOMPASS_LANG": "en",
        **extra,
    }


def kompass_sync(folder: Path, who: str) -> list[str]:
    return [sys.executable, "-m", "kompass_tui", "sync", "--db", str(folder), "--as", who]


def kompass(tmp_path: Path, *args: str | Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kompass_tui", *map(str, args)],
        env=environment(tmp_path, **extra),
        capture_output=True,
        text=True,
        errors="surrogateescape",
        timeout=120,
        check=False,
    )


def in_group(pgid: int) -> list[str]:
    """The live (not zombie) processes of a process group, as 'pid command'."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found.append(f"{entry.name} {stat[stat.index('(') + 1 : stat.rindex(')')]}")
    return found


def wait_for_group(pgid: int) -> list[str]:
    """Wait (up to 5 s) until no process of the group is left; those left over."""
    if not Path("/proc/self/stat").exists():
        return []  # no /proc to look in (not Linux): killpg's own word has to do
    deadline = time.monotonic() + 5
    while (left := in_group(pgid)) and time.monotonic() < deadline:
        time.sleep(0.02)
    return left


def git_locks(*git_dirs: Path) -> list[Path]:
    """Lock files git left in these repositories (a git process killed while holding them)."""
    return sorted(p for d in git_dirs for p in d.rglob("*.lock") if p.is_file())


def files_under(folder: Path, *subfolders: str) -> dict[str, bytes]:
    """Every file under the sub-folders, with its bytes: what must not change."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for sub in subfolders
        if (folder / sub).is_dir()
        for p in sorted((folder / sub).rglob("*"))
        if p.is_file()
    }


def evaluation_file(folder: Path, eid: str) -> Path:
    return folder / "evaluations" / f"{eid}.json"


def opens_and_reads(folder: Path) -> list[str]:
    """The database opens and lists in a fresh Workbench, and every evaluation in it reads; its ids."""
    bench = Workbench(folder)
    ids = [row.id for row in bench.rows()]
    for eid in ids:
        bench.get(eid)
    return ids


# ---------------------------------------------------------------- 1. SIGKILL at random points


def _measure(tmp_path: Path, laptops: dict[str, Workbench], eid: str, qids: list[str]) -> float:
    """How long a sync that merges takes here (the longest of two)."""
    anna, omar = laptops[ANNA], laptops[OMAR]
    took = []
    for n in range(2):
        anna.score(eid, qids[n], Decimal(1), by=ANNA, note=f"measure {n}")
        omar.score(eid, qids[n], Decimal(1), by=OMAR, note=f"measure {n}")
        Sync(omar).sync(OMAR)
        started = time.perf_counter()
        done = subprocess.run(kompass_sync(anna.folder, ANNA), env=environment(tmp_path), capture_output=True)
        took.append(time.perf_counter() - started)
        assert done.returncode == 0, done.stderr
    Sync(omar).sync(OMAR)
    return max(took)


def test_a_sync_killed_at_random_points_leaves_a_database_that_opens_and_loses_no_change(tmp_path, remote):
    laptops, eid = team(tmp_path, remote)
    bench = laptops[ANNA]
    fw = bench.framework(bench.get(eid).framework)
    qids = [q.id for q in fw.questions]
    top = {q.id: int(min(q.maximum, 3)) for q in fw.questions}
    expected: dict[tuple[str, str], tuple[Decimal, str]] = {}  # (question, evaluator): the last saved
    for n in range(2):
        for name in (ANNA, OMAR):
            expected[qids[n], name] = (Decimal(1), f"measure {n}")
    took = _measure(tmp_path, laptops, eid, qids)
    rng = random.Random(SEED)
    stale: list[str] = []  # kills that left a lock file in the remote (a folder: its receive-pack ran here)
    for kill in range(KILLS):
        # the laptop whose sync is killed, and the other one, which has sent changes of its own
        victim, other = (ANNA, OMAR) if kill % 2 == 0 else (OMAR, ANNA)
        for name in (victim, other):
            for _ in range(2):
                qid = rng.choice(qids)
                value, note = Decimal(rng.randint(0, top[qid])), f"{name} kill {kill} {qid}"
                laptops[name].score(eid, qid, value, by=name, note=note)
                expected[qid, name] = (value, note)
        Sync(laptops[other]).sync(other)  # so the killed sync has a merge to make
        delay = rng.uniform(0, 1.2 * took)
        where = f"seed {SEED}, kill {kill} ({victim}'s sync) after {delay:.3f} s of {took:.3f} s"
        folder = laptops[victim].folder
        child = subprocess.Popen(
            kompass_sync(folder, victim),
            env=environment(tmp_path),
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it was done (and its group gone) before the delay was up
        child.wait()
        assert wait_for_group(child.pid) == [], f"{where}: processes left behind"

        assert eid in opens_and_reads(folder), where
        after = subprocess.run(kompass_sync(folder, victim), env=environment(tmp_path), capture_output=True, text=True)
        if after.returncode != 0:
            _remove_stale_locks(where, after.stderr, stale, remote)
            after = subprocess.run(
                kompass_sync(folder, victim), env=environment(tmp_path), capture_output=True, text=True
            )
        assert after.returncode == 0, f"{where}: the next sync failed: {after.stderr}"

        for name in (other, victim):  # both sync once more: each has everything
            try:
                Sync(laptops[name]).sync(name)
            except KompassError as exc:
                _remove_stale_locks(where, str(exc), stale, remote)
                Sync(laptops[name]).sync(name)
        for name, laptop in laptops.items():
            ev = Workbench(laptop.folder).get(eid)
            for (qid, who), (value, note) in expected.items():
                entry = ev.answer(qid).entry(who)
                found = (entry.score, entry.note) if entry is not None else None
                assert found == (value, note), f"{where}: {name}'s laptop has {who}'s {qid} as {found}"
        assert model.to_dict(laptops[ANNA].get(eid)) == model.to_dict(laptops[OMAR].get(eid)), where
    for laptop in laptops.values():
        assert opens_and_reads(laptop.folder) == [eid]
        assert not list(laptop.folder.rglob("*.tmp"))
    print(f"{KILLS} kills, a sync taking {took:.3f} s; stale git locks after {len(stale)}:", *stale, sep="\n  ")


def _remove_stale_locks(where: str, failure: str, stale: list[str], *git_dirs: Path) -> None:
    """A sync failed after a kill: only for a lock file a killed push left in the remote (a folder
    here, whose receive-pack was in the killed group; on a server it is the server's own process),
    which Kompass cannot know to be stale: removed as git's message tells the user to. A lock left
    in a laptop's own repository is cleared by the next sync itself; anything else fails the test."""
    locks = git_locks(*git_dirs)
    assert locks, f"{where}: the next sync failed: {failure}"
    stale.append(f"{where}: {', '.join(str(p) for p in locks)}: {failure.strip()}")
    for lock in locks:
        lock.unlink()


GIT_SHIM = """#!/bin/sh
# git, except that the command given dies (SIGKILL, the whole sync's process group) holding its lock
case " $* " in
  *" {command} "*) mkdir -p "$(dirname "$GIT_DIR/{lock}")"; : > "$GIT_DIR/{lock}"; kill -KILL 0 ;;
esac
exec {git} "$@"
"""


@pytest.mark.parametrize(
    ("command", "lock"),
    [
        ("add -A", "index.lock"),  # staging the folder's changes
        ("update-ref HEAD", "HEAD.lock"),  # making a commit HEAD
        ("fetch -q", "refs/remotes/origin/main.lock"),  # fetching what the remote has new
    ],
)
def test_a_sync_killed_while_git_holds_its_lock_does_not_stop_the_next_sync(tmp_path, remote, command, lock):
    """Deterministic: a git on PATH that, at one command, takes that command's lock as git does and
    is killed (with the sync) while holding it. The random kills above land there now and then."""
    laptops, eid = team(tmp_path, remote)
    anna, omar = laptops[ANNA], laptops[OMAR]
    anna.score(eid, "1.1", Decimal(3), by=ANNA, note="Anna's")
    omar.score(eid, "1.2", Decimal(2), by=OMAR, note="Omar's")
    Sync(omar).sync(OMAR)
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "git").write_text(GIT_SHIM.format(command=command, lock=lock, git=shutil.which("git")))
    (shim / "git").chmod(0o700)
    killed = subprocess.run(
        kompass_sync(anna.folder, ANNA),
        env=environment(tmp_path, PATH=f"{shim}{os.pathsep}{os.environ['PATH']}"),
        start_new_session=True,
        capture_output=True,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL and (anna.folder / ".git" / lock).exists()
    assert opens_and_reads(anna.folder) == [eid]
    after = kompass(tmp_path, "sync", "--db", anna.folder, "--as", ANNA)
    assert after.returncode == 0, after.stderr  # fails now: "git … failed: remove the file manually to continue."
    Sync(omar).sync(OMAR)
    assert omar.get(eid).answer("1.1").entry(ANNA).note == "Anna's"
    assert anna.get(eid).answer("1.2").entry(OMAR).note == "Omar's"


@pytest.mark.parametrize("refusal", ["its size limit", "a lock a killed push left"])
def test_a_push_the_remote_refuses_is_said_as_refused_not_as_a_remote_that_kept_moving(tmp_path, remote, refusal):
    """'! … [remote rejected] (unpacker error)' or '(failed to update ref)' (or, on a server, a
    protected branch's '(pre-receive hook declined)'): the remote did not move, it refused."""
    laptops, eid = team(tmp_path, remote)
    if refusal == "its size limit":  # a quota, say
        git("--git-dir", remote, "config", "receive.maxInputSize", "10")
    else:  # a folder remote: the sync's process group held git-receive-pack too, killed mid-update
        (remote / "HEAD.lock").touch()
    laptops[ANNA].score(eid, "1.1", Decimal(3), by=ANNA)
    fetches = []
    real_fetch = Git.fetch

    def fetch(self: Git) -> None:
        fetches.append(1)
        real_fetch(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Git, "fetch", fetch)
        with pytest.raises(KompassError) as refused:
            Sync(laptops[ANNA]).sync(ANNA)
    assert "kept moving" not in str(refused.value) and len(fetches) == 1, (str(refused.value), len(fetches))


def test_a_laptop_that_joins_keeps_kompass_attributes_on_the_remote(tmp_path, remote):
    laptops, eid = team(tmp_path, remote)
    assert git("--git-dir", remote, "show", f"main:{ATTRIBUTES}") + "\n" == ATTRIBUTES_TEXT
    laptops[OMAR].score(eid, "1.1", Decimal(3), by=OMAR)
    Sync(laptops[OMAR]).sync(OMAR)
    assert git("--git-dir", remote, "show", f"main:{ATTRIBUTES}") + "\n" == ATTRIBUTES_TEXT


# ---------------------------------------------------------------- 2. what arrives by sync


ESCAPES = "\x1b]52;c;aGk=\x07\x1b[2J"
HOSTILE_NAME = f"Eve{ESCAPES}\u202e [bold red]x[/]"
FORMULA = '=HYPERLINK("http://evil.example","Klicka")'
KEPT_NAME = "Eve]52;c;aGk=[2J [bold red]x[/]"  # HOSTILE_NAME as Kompass keeps it: no ESC, BEL or bidi control


def hostile(eid: str) -> Evaluation:
    """An evaluation from someone else's laptop (or written by hand) with hostile text everywhere."""
    return Evaluation(
        id=eid,
        municipality=f"Sala{ESCAPES}\u202e",
        year=2026,
        framework="kommunkompassen-2003",
        evaluators=(HOSTILE_NAME,),
        team_set=True,
        summary="s" * MAX_TEXT + "\x07\u202e",  # the longest text, once its controls are removed
        challenges=f"[bold red]x[/] {FORMULA}",
        areas={"1": AreaEntry(strengths=f"{FORMULA}\n\u202eevil{ESCAPES}", improvements="[link=http://x]y[/link]")},
        questions={
            "1.1": Answer(
                note=f"{ESCAPES}agreed\u202e",
                entries={HOSTILE_NAME: Entry(Decimal(5), f"{FORMULA}{ESCAPES}\u202e", (), "2026-01-01T00:00:00+00:00")},
            )
        },
        created="2026-01-01T00:00:00+00:00",
        updated="2026-01-01T00:00:00+00:00",
    )


FOREIGN = [
    "notes.txt",
    "evaluations/sub/x-2026.json",
    "evaluations/Evil Name.json",
    "evaluations/.hidden-2026.json",
    "evaluations/x\x1b]52;c;aGk=\x07-2026.json",
    "evaluations/readme.md",
]


def test_hostile_text_arriving_by_sync_is_kept_as_merge_and_import_keep_it(tmp_path, remote):
    laptops, eid = team(tmp_path, remote)
    anna, omar = laptops[ANNA], laptops[OMAR]
    clone = intruder(tmp_path, remote)
    new = hostile("sala-2026")
    evaluation_file(clone, new.id).write_bytes(evaluation_bytes(model.to_dict(new)))
    # and into the shared evaluation: a hostile evaluator's entry, note and strengths
    theirs = model.from_dict(evaluation_from_bytes(evaluation_file(clone, eid).read_bytes(), "x"), eid)
    entry = Entry(Decimal(4), f"{FORMULA}{ESCAPES}\u202e", (), "2026-01-02T00:00:00+00:00")
    theirs = replace(
        theirs,
        evaluators=(*theirs.evaluators, HOSTILE_NAME),
        questions={"2.1": Answer(entries={HOSTILE_NAME: entry})},
        areas={"2": AreaEntry(strengths=f"[bold red]x[/]{ESCAPES}\u202e")},
    )
    evaluation_file(clone, eid).write_bytes(evaluation_bytes(model.to_dict(theirs)))
    for path in FOREIGN:
        (clone / path).parent.mkdir(parents=True, exist_ok=True)
        (clone / path).write_text("{}\n")
    commit = push(clone, "hostile")

    # what import and merge make of the same files, in fresh databases
    exported = tmp_path / "sala.json"
    exported.write_text(json.dumps(model.to_document(new)), encoding="utf-8")
    imported = Workbench(tmp_path / "imported").import_file(exported)[0]
    assert imported.id == new.id
    merged = Workbench(tmp_path / "merged").merge(exported).evaluation
    reference = Workbench(tmp_path / "reference")  # the shared evaluation as it was, then the hostile copy merged
    (tmp_path / "mine.json").write_text(json.dumps(model.to_document(anna.get(eid))), encoding="utf-8")
    assert reference.import_file(tmp_path / "mine.json")[0].id == eid
    (tmp_path / "theirs.json").write_text(json.dumps(model.to_document(theirs)), encoding="utf-8")
    reference.merge(tmp_path / "theirs.json")
    expected = reference.get(eid)

    done = kompass(tmp_path, "sync", "--db", anna.folder, "--as", ANNA)  # the CLI: what it prints is checked
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout + done.stderr and is_safe(done.stdout + done.stderr)
    named = list(FOREIGN)
    warnings = done.stderr.splitlines()
    assert len(warnings) == len(named) and all(line.endswith("; left out") for line in warnings), done.stderr
    for path in named:
        assert f"kompass: {commit[:10]}:{visible(path)}: not an evaluation file" in done.stderr
    assert "x␛]52;c;aGk=␇-2026.json" in done.stderr
    Sync(omar).sync(OMAR)

    for laptop in (anna, omar):
        stored = laptop.get(new.id)
        assert model.to_dict(stored) == model.to_dict(imported) == model.to_dict(merged)
        assert stored.municipality == "Sala]52;c;aGk=[2J" and stored.evaluators == (KEPT_NAME,)
        assert stored.answer("1.1").entry(KEPT_NAME).note == f"{FORMULA}]52;c;aGk=[2J"
        assert len(stored.summary) == MAX_TEXT and stored.challenges == f"[bold red]x[/] {FORMULA}"
        shared = laptop.get(eid)
        for got, want in (
            (shared.answer("2.1").entry(KEPT_NAME), expected.answer("2.1").entry(KEPT_NAME)),
            (shared.area("2").strengths, expected.area("2").strengths),
            (shared.evaluators, expected.evaluators),
        ):
            assert got == want and got is not None
        assert sorted(opens_and_reads(laptop.folder)) == sorted([eid, new.id])
        assert sorted(p.name for p in (laptop.folder / "evaluations").iterdir()) == sorted(
            f"{i}.json" for i in (eid, new.id)
        )
        assert not (laptop.folder / "notes.txt").exists() and not (laptop.folder / "evaluations" / "sub").exists()
        for shown in (
            kompass(tmp_path, "show", new.id, "-q", "--db", laptop.folder),
            kompass(tmp_path, "show", eid, "-q", "--db", laptop.folder),
        ):
            assert shown.returncode == 0, shown.stderr
            assert "\x1b" not in shown.stdout + shown.stderr and "\u202e" not in shown.stdout
            assert "Sala" in shown.stdout or "Upplands" in shown.stdout


def test_a_file_outside_evaluations_is_left_out_with_a_warning_line(tmp_path, remote):
    laptops, _ = team(tmp_path, remote)
    clone = intruder(tmp_path, remote)
    (clone / "notes.txt").write_text("{}\n")
    commit = push(clone, "notes")
    report = Sync(laptops[ANNA]).sync(ANNA)
    assert not (laptops[ANNA].folder / "notes.txt").exists()
    assert report.skipped == [f"{commit[:10]}:notes.txt: not an evaluation file Kompass shares; left out"]


def test_files_kompass_does_not_share_are_left_on_the_remote(tmp_path, remote):
    laptops, eid = team(tmp_path, remote)
    clone = intruder(tmp_path, remote)
    foreign = {"notes.txt", "evaluations/sub/x-2026.json", "evaluations/readme.md"}
    for path in foreign:
        (clone / path).parent.mkdir(parents=True, exist_ok=True)
        (clone / path).write_text("{}\n")
    push(clone, "the team's own notes")
    laptops[ANNA].score(eid, "1.1", Decimal(3), by=ANNA)
    Sync(laptops[ANNA]).sync(ANNA)
    assert not any((laptops[ANNA].folder / path).exists() for path in foreign)  # left out here
    assert foreign <= set(git("--git-dir", remote, "ls-tree", "-r", "--name-only", "main").splitlines())


def _not_json(doc: dict) -> bytes:
    return b'\x1b]52;c;aGk=\x07{"_meta": {"1": {"app": "kompass"'


def _another_program(doc: dict) -> bytes:
    return json.dumps({"name": "left-pad", "version": "1.3.0", "dependencies": {}}).encode()


def _another_id(doc: dict) -> bytes:
    return evaluation_bytes({**doc, "id": "sala-2026"})


def _too_long(doc: dict) -> bytes:
    return evaluation_bytes({**doc, "summary": "s" * (MAX_TEXT + 1)})


def _unfitting_score(doc: dict) -> bytes:
    ev = model.from_dict(doc)
    return evaluation_bytes(model.to_dict(replace(ev, questions={"1.1": Answer(entries={ANNA: Entry(Decimal(999))})})))


@pytest.mark.parametrize("broken", [_not_json, _another_program, _another_id, _too_long, _unfitting_score])
def test_a_broken_file_from_the_remote_stops_the_sync_and_changes_nothing_until_it_is_fixed(tmp_path, remote, broken):
    laptops, eid = team(tmp_path, remote)
    anna, omar = laptops[ANNA], laptops[OMAR]
    clone = intruder(tmp_path, remote)
    path = evaluation_file(clone, eid)
    good = path.read_bytes()
    doc = evaluation_from_bytes(good, "x")
    path.write_bytes(broken(doc))
    if broken is _too_long:  # import refuses the same text
        exported = tmp_path / "long.json"
        exported.write_text(json.dumps(model.to_document(model.from_dict(evaluation_from_bytes(broken(doc), "x")))))
        with pytest.raises(InputError, match="100,000"):
            Workbench(tmp_path / "imported").import_file(exported)
    commit = push(clone, "broken")
    anna.score(eid, "1.1", Decimal(3), by=ANNA, note="Anna's, made before the broken file came")
    before = files_under(anna.folder, "evaluations", "backups")

    refused = kompass(tmp_path, "sync", "--db", anna.folder, "--as", ANNA)
    assert refused.returncode != 0 and refused.stdout == ""
    [line] = refused.stderr.splitlines()
    assert line.startswith(f"kompass: {commit[:10]}:evaluations/{eid}.json: "), line
    assert "the sync stopped" in line and is_safe(line) and "\x1b" not in line
    assert files_under(anna.folder, "evaluations", "backups") == before
    assert opens_and_reads(anna.folder) == [eid]
    with pytest.raises(InputError, match=rf"^{commit[:10]}:evaluations/{eid}\.json: "):
        Sync(omar).sync(OMAR)  # the other laptop, through the service: the same

    path.write_bytes(good)  # the remote fixed: a new commit restores the file
    push(clone, "fixed")
    done = kompass(tmp_path, "sync", "--db", anna.folder, "--as", ANNA)
    assert done.returncode == 0, done.stderr
    Sync(omar).sync(OMAR)
    assert omar.get(eid).answer("1.1").entry(ANNA).note == "Anna's, made before the broken file came"


# ---------------------------------------------------------------- 3. hooks, configuration, attributes


HOOKS = (
    "pre-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "post-merge",
    "post-checkout",
    "post-rewrite",
    "pre-push",
    "pre-auto-gc",
    "post-index-change",
    "reference-transaction",
)


def _marking(marks: Path, name: str) -> str:
    return f"#!/bin/sh\necho {name} >> '{marks}'\ncat > /dev/null 2>&1 || true\nexit 0\n"


def test_no_hook_and_no_configuration_of_the_user_ever_runs_during_a_sync(tmp_path, remote):
    laptops, eid = team(tmp_path, remote)
    anna, omar = laptops[ANNA], laptops[OMAR]
    marks = tmp_path / "marks"
    hooks = anna.folder / ".git" / "hooks"
    mine = tmp_path / "my-hooks"  # what the user's own git configuration names
    mine.mkdir()
    for folder in (hooks, mine):
        for name in HOOKS:
            (folder / name).write_text(_marking(marks, f"{folder.name}/{name}"))
            (folder / name).chmod(0o700)
    fsmonitor = tmp_path / "fsmonitor"
    fsmonitor.write_text(_marking(marks, "fsmonitor"))
    fsmonitor.chmod(0o700)
    user_config = tmp_path / "gitconfig"
    mine_config = tmp_path / "gitconfig-anna"  # for the laptop's repository only
    mine_config.write_text(f"[core]\n\thooksPath = {mine}\n")
    user_config.write_text(
        f'[core]\n\tfsmonitor = {fsmonitor}\n[includeIf "gitdir:{anna.folder}/.git"]\n\tpath = {mine_config}\n'
    )
    user = {"GIT_CONFIG_GLOBAL": str(user_config)}
    # they are live: plain git runs them where it is let
    probe = {**os.environ, **user, "GIT_DIR": str(anna.folder / ".git"), "GIT_WORK_TREE": str(anna.folder)}
    for args in (
        ["-c", f"core.hooksPath={hooks}", "update-ref", "refs/probe", "HEAD"],
        ["-c", f"include.path={mine_config}", "update-ref", "refs/probe2", "HEAD"],
        ["status"],
    ):
        subprocess.run(["git", *args], env=probe, capture_output=True, check=True)
    assert {"hooks/reference-transaction", "my-hooks/reference-transaction", "fsmonitor"} <= set(
        marks.read_text().split()
    )
    for ref in ("refs/probe", "refs/probe2"):
        subprocess.run(["git", "-c", "core.hooksPath=/dev/null", "update-ref", "-d", ref], env=probe, check=True)
    marks.unlink()

    for n in range(2):  # syncs that commit, merge and push
        anna.score(eid, "1.1", Decimal(n), by=ANNA, note=f"Anna {n}")
        omar.score(eid, "1.2", Decimal(n), by=OMAR, note=f"Omar {n}")
        Sync(omar).sync(OMAR)
        done = kompass(tmp_path, "sync", "--db", anna.folder, "--as", ANNA, **user)
        assert done.returncode == 0, done.stderr
    assert not marks.exists(), marks.read_text()
    Sync(omar).sync(OMAR)
    assert omar.get(eid).answer("1.1").entry(ANNA).note == "Anna 1"


REMOTE_HOOKS = ("pre-receive", "update", "post-receive", "post-update", "reference-transaction")


@pytest.mark.parametrize("whose", ["the remote repository's own", "the user's core.hooksPath"])
def test_no_hook_of_a_folder_remote_runs_on_this_machine(tmp_path, remote, whose, monkeypatch):
    """A remote that is a folder (a shared drive, say) is pushed to by a git receive-pack that runs
    here, as this user: hooks anyone who can write to that folder put there are code run here."""
    laptops, eid = team(tmp_path, remote)
    marks = tmp_path / "marks"
    hooks = remote / "hooks"
    if whose == "the user's core.hooksPath":
        hooks = tmp_path / "my-hooks"
        hooks.mkdir()
        (tmp_path / "gitconfig").write_text(f"[core]\n\thooksPath = {hooks}\n")
        monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    for name in REMOTE_HOOKS:
        (hooks / name).write_text(_marking(marks, name))
        (hooks / name).chmod(0o700)
    laptops[ANNA].score(eid, "1.1", Decimal(3), by=ANNA)
    assert Sync(laptops[ANNA]).sync(ANNA).pushed >= 1
    assert not marks.exists(), marks.read_text()  # fails now: every one of them ran


def test_attributes_and_filters_from_the_remote_do_nothing_here(tmp_path, remote):
    laptops, eid = team(tmp_path, remote)
    anna, omar = laptops[ANNA], laptops[OMAR]
    marks = tmp_path / "marks"
    clone = intruder(tmp_path, remote)
    for key, value in (
        ("filter.evil.clean", f"sh -c 'echo clean >> {marks}; cat'"),
        ("filter.evil.smudge", f"sh -c 'echo smudge >> {marks}; cat'"),
        ("merge.evil.driver", f"sh -c 'echo merge >> {marks}; exit 1'"),
        ("diff.evil.textconv", f"sh -c 'echo textconv >> {marks}; cat'"),
    ):
        git("config", "--local", key, value, cwd=clone)
    (clone / ATTRIBUTES).write_text(
        "* filter=evil merge=evil diff=evil\n"
        "evaluations/*.json filter=evil merge=evil diff=evil ident text eol=crlf working-tree-encoding=UTF-16LE\n"
    )
    push(clone, "attributes", ATTRIBUTES)  # (only it: its encoding would change the clone's evaluation file)
    assert "clean" in marks.read_text()  # they work where they are configured: in the attacker's clone
    marks.unlink()

    note = "a note with $Id: 1234 $ and\r\nCRLF"  # what ident and eol would change
    for n in range(2):
        anna.score(eid, "1.1", Decimal(n), by=ANNA, note=f"{note} {n}")
        omar.score(eid, "1.2", Decimal(n), by=OMAR, note=f"{note} {n}")
        for laptop, name in ((omar, OMAR), (anna, ANNA), (omar, OMAR)):
            done = kompass(tmp_path, "sync", "--db", laptop.folder, "--as", name)
            assert done.returncode == 0, done.stderr
    assert not marks.exists(), marks.read_text()
    for laptop in (anna, omar):  # what is committed is the database's file, byte for byte
        committed = git_bytes("--git-dir", laptop.folder / ".git", "cat-file", "blob", f"HEAD:evaluations/{eid}.json")
        assert committed == evaluation_file(laptop.folder, eid).read_bytes()
        ev = laptop.get(eid)
        assert (
            ev.answer("1.1").entry(ANNA).note
            == ev.answer("1.2").entry(OMAR).note
            == "a note with $Id: 1234 $ and\nCRLF 1"
        )
    assert (anna.folder / ATTRIBUTES).read_text() == ATTRIBUTES_TEXT  # Kompass's own, never the remote's
    assert not (omar.folder / ATTRIBUTES).exists() or (omar.folder / ATTRIBUTES).read_text() == ATTRIBUTES_TEXT


# ---------------------------------------------------------------- 4. permissions


def test_with_umask_000_the_repository_is_the_users_only(tmp_path, remote):
    old = os.umask(0)
    try:
        laptops, eid = team(tmp_path, remote)
        laptops[OMAR].score(eid, "1.1", Decimal(3), by=OMAR)
        Sync(laptops[OMAR]).sync(OMAR)
        laptops[ANNA].score(eid, "1.2", Decimal(3), by=ANNA)
        done = kompass(tmp_path, "sync", "--db", laptops[ANNA].folder, "--as", ANNA)  # umask 000 inherited
        assert done.returncode == 0, done.stderr
    finally:
        os.umask(old)
    for laptop in laptops.values():
        opened = []
        for path in [laptop.folder, *laptop.folder.rglob("*")]:
            if path.is_symlink():
                continue
            mode = path.lstat().st_mode
            if (path.is_dir() and mode & 0o777 != 0o700) or (not path.is_dir() and mode & 0o077):
                opened.append(f"{oct(mode & 0o777)} {path.relative_to(laptop.folder)}")
        assert opened == [], opened
        assert (laptop.folder / ".git" / "objects").is_dir()
