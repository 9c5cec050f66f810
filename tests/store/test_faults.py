"""Crash safety and concurrent sessions, short runs (scripts/crash_test.py and
scripts/concurrency_test.py run the long ones and print the figures)."""

from decimal import Decimal

from faults import EID, concurrent_sessions, crash_rounds

from kompass_tui.service import Workbench


def test_sigkill_at_random_moments_loses_no_acknowledged_save(tmp_path):
    tally = crash_rounds(tmp_path / "db", rounds=30, seed=7)
    assert tally.kills == 30 and tally.acknowledged > 30
    assert (tally.corrupt, tally.lost) == (0, 0), tally.problems[:5]
    bench = Workbench(tmp_path / "db")
    bench.score(EID, "1.1", Decimal("3"))  # the next save clears temp files a kill left behind
    assert not list((tmp_path / "db").rglob("*.tmp"))


def test_six_sessions_editing_at_once_lose_no_update(tmp_path):
    tally = concurrent_sessions(tmp_path / "db", count=500)
    assert tally.edits == 3000 and tally.lost == 0, tally.problems
    assert tally.problems == []


def test_a_save_asks_the_disk_to_keep_it_before_it_replaces_the_old_file(tmp_path, monkeypatch):
    """SIGKILL never loses the page cache, so the crash test cannot tell whether data reaches the
    disk: this checks the order of the calls that make it durable (file fsync, replace, folder fsync)."""
    import os
    import re
    import stat

    bench = Workbench(tmp_path / "db")
    bench.load_demo()
    calls = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        calls.append("fsync folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync file")
        real_fsync(fd)

    def replace(src, dst):
        calls.append(f"replace {os.path.basename(dst)}")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    bench.score(EID, "1.1", Decimal("3"))
    replaced = calls.index(f"replace {EID}.json")
    assert calls[0] == "fsync file" and "fsync folder" in calls[replaced + 1 :], calls
    replaces = [c for c in calls if c.startswith("replace")]  # (the kept version is a hard link)
    assert replaces[0] == f"replace {EID}.json" and len(replaces) == 2  # then its row, in one part of the index
    assert re.fullmatch(r"replace [0-9a-f]{2}\.json", replaces[1])
