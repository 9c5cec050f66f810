"""Crash safety and concurrent sessions, short runs (scripts/crash_test.py and
scripts/concurrency_test.py run the long ones and print the figures)."""

from faults import EID, concurrent_sessions, crash_rounds

from kompass_tui.service import Workbench


def test_sigkill_at_random_moments_loses_no_acknowledged_save(tmp_path):
    tally = crash_rounds(tmp_path / "db", rounds=30, seed=7)
    assert tally.kills == 30 and tally.acknowledged > 30
    assert (tally.corrupt, tally.lost) == (0, 0), tally.problems[:5]
    bench = Workbench(tmp_path / "db")
    bench.score(EID, "1.1", "3")  # the next save clears temp files a kill left behind
    assert not list((tmp_path / "db").rglob("*.tmp"))


def test_six_sessions_editing_at_once_lose_no_update(tmp_path):
    tally = concurrent_sessions(tmp_path / "db", count=500)
    assert tally.edits == 3000 and tally.lost == 0, tally.problems
    assert tally.problems == []
