"""Fault harness shared by the test suite (short runs) and scripts/ (long runs that print figures):
kill a saving process at random moments, and run sessions that edit one database at once."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from kompass_tui.core import edits
from kompass_tui.service import Workbench

EID = "botkyrka-2003"
CTX = multiprocessing.get_context("fork")  # a fork starts in milliseconds, so kills land mid-save


def prepare(folder: Path) -> list[str]:
    bench = Workbench(folder)
    bench.load_demo()
    return [q.id for q in bench.framework("kommunkompassen-2003").questions]


def _save(bench: Workbench, qid: str, i: int) -> None:
    """One save: score and note of one sub-question, in one locked write."""
    bench.apply(EID, edits.chain(edits.score(qid, Decimal(i % 10)), edits.note(qid, f"save {i}")))


def _saver(folder: Path, qids: list[str], start: int, ack_fd: int) -> None:
    bench = Workbench(folder)
    i = start
    while True:
        _save(bench, qids[i % len(qids)], i)
        os.write(ack_fd, f"{i}\n".encode())  # reported only once the save returned
        i += 1


@dataclass
class CrashTally:
    kills: int = 0
    acknowledged: int = 0
    corrupt: int = 0
    lost: int = 0
    problems: list[str] = field(default_factory=list)


def _read_acks(fd: int) -> list[int]:
    chunks = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    return [int(n) for n in b"".join(chunks).split()]


def crash_rounds(folder: Path, rounds: int, seed: int = 1) -> CrashTally:
    """Start a saver, kill it with SIGKILL after a random number of acknowledged saves, check the
    database: it loads, and every acknowledged save is there. Repeat."""
    rng = random.Random(seed)
    qids = prepare(folder)
    latest: dict[str, int] = {}  # per sub-question: the newest acknowledged save
    tally = CrashTally()
    start = 0
    for _ in range(rounds):
        read_fd, write_fd = os.pipe()
        child = CTX.Process(target=_saver, args=(folder, qids, start, write_fd), daemon=True)
        child.start()
        os.close(write_fd)
        wanted, seen, buffer = rng.randint(1, 25), 0, b""
        while seen < wanted:  # wait for a random number of acknowledgements, then kill at once
            chunk = os.read(read_fd, 64)
            if not chunk:
                break
            buffer += chunk
            seen = buffer.count(b"\n")
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        acks = [int(n) for n in buffer.split()] + _read_acks(read_fd)
        os.close(read_fd)
        tally.kills += 1
        tally.acknowledged += len(acks)
        for i in acks:
            latest[qids[i % len(qids)]] = i
        try:
            bench = Workbench(folder)
            ev = bench.get(EID)
            bench.rows()
        except Exception as exc:
            tally.corrupt += 1
            tally.problems.append(f"kill {tally.kills}: {exc}")
            break
        for qid, i in latest.items():
            note = ev.answer(qid).note
            stored = int(note.split()[1]) if note.startswith("save ") else -1
            if stored < i or str(ev.answer(qid).score) != str(stored % 10):
                tally.lost += 1
                tally.problems.append(f"kill {tally.kills}: {qid} holds {note!r}, acknowledged save {i}")
        start = (max(acks) if acks else start) + 2  # past the save that may have been in flight
    return tally


def _editor(folder: Path, qid: str, tag: str, count: int, barrier) -> None:
    bench = Workbench(folder)
    barrier.wait()
    for k in range(count):

        def change(ev, fw, at, k=k):
            ev = edits.chain(edits.score(qid, Decimal(k % 10)), edits.note(qid, f"{tag} {k}"))(ev, fw, at)
            return edits.text("summary", str(int(ev.summary) + 1))(ev, fw, at)  # a shared counter

        bench.apply(EID, change)


@dataclass
class ConcurrencyTally:
    processes: int
    edits: int
    lost: int
    same_question_final: str
    problems: list[str]


def concurrent_sessions(folder: Path, count: int) -> ConcurrencyTally:
    """Four sessions edit their own sub-question and two share one, `count` edits each, all at once;
    every edit also adds one to a shared counter. No update may be lost."""
    prepare(folder)
    Workbench(folder).text(EID, "summary", "0")
    own = {"A": "1.1", "B": "2.2", "C": "3.3", "D": "4.4"}
    shared = {"E": "5.1", "F": "5.1"}
    plan = {**own, **shared}
    barrier = CTX.Barrier(len(plan))
    procs = [CTX.Process(target=_editor, args=(folder, qid, tag, count, barrier)) for tag, qid in plan.items()]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    ev = Workbench(folder).get(EID)
    problems = [f"session {p.name} exited with {p.exitcode}" for p in procs if p.exitcode != 0]
    for tag, qid in own.items():
        if ev.answer(qid).note != f"{tag} {count - 1}":
            problems.append(f"{qid} holds {ev.answer(qid).note!r}, expected {tag} {count - 1}")
    final = ev.answer("5.1").note
    if final not in (f"E {count - 1}", f"F {count - 1}"):
        problems.append(f"5.1 holds {final!r}, not the last value of either session")
    expected = count * len(plan)
    lost = expected - int(ev.summary)
    if lost:
        problems.append(f"the counter is {ev.summary}, expected {expected}")
    return ConcurrencyTally(len(plan), expected, lost, final, problems)
