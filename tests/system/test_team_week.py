"""A team's week, once for real: the installed app in tmux at 80x24, in Swedish, driven by keys."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from decimal import Decimal

import pytest
from pilot import Tmux

from kompass_tui.service import Workbench


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_a_re_evaluation_in_tmux_asks_who_you_are_keeps_a_typed_score_and_shows_the_last_round(tmp_path):
    db = tmp_path / "db"
    bench = Workbench(db)
    bench.load_demo()  # Botkyrka 2003, scored as the seed
    bench.consensus("botkyrka-2003", "1.1", Decimal(34), by="Lena Langlet")
    bench.create("Botkyrka", 2026, evaluators=["Anna Berg", "Omar Said"])
    env = f"KOMPASS_HOME={tmp_path / 'home'} TERM=xterm-256color NO_COLOR=1"
    tmux = Tmux(tmp_path)
    try:
        tmux(
            "new-session", "-d", "-s", "k", "-x", "80", "-y", "24",
            f"env {env} {sys.executable} -m kompass_tui --db {db} --as root --lang sv",
        )  # fmt: skip
        tmux.wait_for("6 utvärderingar")
        tmux("send-keys", "-t", "k", "Down", "Enter")  # Botkyrka 2026, after Botkyrka 2003
        asked = tmux.wait_for("Vem är du?")
        assert "Anna Berg" in asked and "Omar Said" in asked and "Gå med i teamet som root" in asked
        tmux("send-keys", "-t", "k", "1")
        tmux.wait_for("2003: 34")  # the last round beside it (each waited for: a screen draws in parts)
        tmux.wait_for("Botkyrka 2026 · Anna Berg")  # who is scoring, in the title bar
        tmux("send-keys", "-t", "k", "1", "2", "Down")  # typed, then ↓ (no enter): saved all the same
        tmux.wait_for("2003: 36")  # 1.2, whose score in 2003 was 36
        tmux("send-keys", "-t", "k", "Escape")
        tmux.wait_for("12 / 800")  # the overview's total: the 12 typed and left with ↓
        tmux("send-keys", "-t", "k", "Escape")
        tmux.wait_for("6 utvärderingar")
        tmux("send-keys", "-t", "k", "q")
        end = time.monotonic() + 30
        while tmux("display-message", "-p", "-t", "k", "#{pane_dead}").strip() != "1":  # the app has ended
            assert time.monotonic() < end, tmux.pane()
            time.sleep(0.05)
    finally:
        subprocess.run(["tmux", "-S", tmux.socket, "kill-server"], capture_output=True)
    ev = Workbench(db).get("botkyrka-2026")
    assert ev.evaluators == ("Anna Berg", "Omar Said")  # root did not become a third evaluator
    assert ev.answer("1.1").entry("Anna Berg").score == 12


def test_a_listing_cut_short_by_its_reader_ends_quietly(tmp_path):
    """`kompass list | head`: no complaint about the pipe, and the status a shell gives it (141).
    The reader here (true) is gone before Kompass has started, so the first line written breaks."""
    db = tmp_path / "db"
    Workbench(db).load_demo()
    shell = f"{sys.executable} -m kompass_tui list --db {db} | true; echo ${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert (done.stderr, done.stdout.strip()) == ("", "141")
