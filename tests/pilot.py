"""Driving the app in tests: the size snapshots are taken at, an app on a workbench, the plain
text of what a widget shows, and the real app in tmux (Tmux). Imported as `from pilot import …`
(tests/ is on the path)."""

from __future__ import annotations

import io
import subprocess
import time
from pathlib import Path

from rich.console import Console
from rich.text import Text
from textual.widgets import Static

from kompass_tui.service import Workbench
from kompass_tui.tui.app import KompassApp
from kompass_tui.tui.rowlist import WrappedList
from kompass_tui.tui.screens.overview import OverviewScreen

SIZE = (80, 24)


def make_app(bench: Workbench, open_id: str | None = None, lang: str = "en", evaluator: str = "Anna") -> KompassApp:
    return KompassApp(bench, lang, open_id, cursor_blink=False, evaluator=evaluator)


def plain(renderable, width: int = 76) -> str:
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def text_of(widget: Static) -> str:
    """What a Static shows, as plain text (a Rich table drawn 76 columns wide)."""
    from rich.console import ConsoleRenderable

    if isinstance(widget.content, ConsoleRenderable) and not isinstance(widget.content, Text):
        return plain(widget.content)
    return str(widget.render())


def overview_areas(screen: OverviewScreen) -> list[str]:
    return [" ".join(line.split()) for line in screen.query_one("#areas", WrappedList).lines]


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


class Tmux:
    def __init__(self, tmp_path: Path):
        self.socket = str(tmp_path / "tmux.sock")
        conf = tmp_path / "tmux.conf"
        # clipboard on: an OSC 52 that reaches tmux becomes a paste buffer, which the test can see
        conf.write_text("set -g set-clipboard on\nset -g remain-on-exit on\nset -g history-limit 100\n")
        self.conf = str(conf)

    def __call__(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-S", self.socket, "-f", self.conf, *args], capture_output=True, text=True, check=True
        ).stdout

    def pane(self, target: str = "k") -> str:
        return self("capture-pane", "-p", "-t", target)

    def wait_for(self, text: str, target: str = "k", deadline: float = 30.0) -> str:
        end = time.monotonic() + deadline
        while True:  # polling what the terminal shows, with a deadline: not a wait for time to pass
            pane = self.pane(target)
            if text in pane:
                return pane
            assert time.monotonic() < end, f"never showed {text!r}:\n{pane}"
            time.sleep(0.05)
