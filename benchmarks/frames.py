"""Timing a key to the frame it paints: the app as its user sees it. Used in the benchmark's own
process (run.py) and in the processes it starts with TEXTUAL_FPS=240."""

from __future__ import annotations

import asyncio
import time

from textual import events
from textual.app import App


class Frames:
    """Hooks the app's _display (Textual calls it with each frame it composes) to tell when the
    next frame after a key is painted."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.painted = asyncio.Event()
        display = app._display

        def on_display(screen, renderable):
            if renderable is not None:
                self.painted.set()
            return display(screen, renderable)

        app._display = on_display

    async def key(self, name: str, character: str | None = None, timeout: float | None = None) -> float:
        """Send a key as the terminal would; seconds until the next frame is painted."""
        self.painted.clear()
        started = time.perf_counter()
        self.app.post_message(events.Key(name, character))
        await asyncio.wait_for(self.painted.wait(), timeout)
        return time.perf_counter() - started
