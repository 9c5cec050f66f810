"""Driving the app in tests: the size snapshots are taken at, an app on a workbench, and the plain
text of what a widget shows. Imported as `from pilot import …` (tests/ is on the path)."""

from __future__ import annotations

import io

from rich.console import Console
from textual.widgets import OptionList, Static

from kompass_tui.service import Workbench
from kompass_tui.tui.app import KompassApp
from kompass_tui.tui.screens.overview import OverviewScreen

SIZE = (80, 24)


def make_app(bench: Workbench, open_id: str | None = None, lang: str = "en", evaluator: str = "Anna") -> KompassApp:
    return KompassApp(bench, lang, open_id, cursor_blink=False, evaluator=evaluator)


def plain(renderable, width: int = 76) -> str:
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def text_of(widget: Static) -> str:
    return str(widget.render())


def overview_areas(screen: OverviewScreen) -> list[str]:
    areas = screen.query_one("#areas", OptionList)
    return [" ".join(areas.get_option_at_index(i).prompt.plain.split()) for i in range(areas.option_count)]


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)
