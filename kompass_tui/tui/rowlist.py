"""A list of any length: only the rows on screen are drawn (Textual's line API), and each row's
text is made only when it is first drawn, so 14,500 evaluations cost home what 20 do. Rows are ids;
draw(id) gives a row's Text with the user text already made safe. One row is highlighted (the
cursor); enter or a click on it selects it."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


class RowList(ScrollView, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"row-list--cursor"}
    DEFAULT_CSS = """
    RowList {
        height: 1fr;
        background: $surface;
    }
    RowList > .row-list--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    RowList:focus > .row-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    RowList:nocolor > .row-list--cursor {
        text-style: reverse bold;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "k_up", show=False, id="kompass.list.up"),
        Binding("down", "cursor_down", "k_down", show=False, id="kompass.list.down"),
        Binding("pageup", "page_up", "k_page_up", show=False, id="kompass.list.page_up"),
        Binding("pagedown", "page_down", "k_page_down", show=False, id="kompass.list.page_down"),
        Binding("home", "first", "k_first", show=False, id="kompass.list.first"),
        Binding("end", "last", "k_last", show=False, id="kompass.list.last"),
        Binding("enter", "select", "k_open", id="kompass.home.open"),
    ]

    cursor: reactive[int | None] = reactive(None, always_update=True)

    class Selected(Message):
        def __init__(self, row_id: str) -> None:
            super().__init__()
            self.row_id = row_id

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._rows: list[str] = []
        self._where: dict[str, int] = {}
        self._draw: Callable[[str], Text] = Text
        self._drawn: dict[str, Text] = {}  # rows drawn so far (a screenful or a few)

    # -- content --------------------------------------------------------------------

    @property
    def ids(self) -> list[str]:
        return list(self._rows)

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def highlighted_id(self) -> str | None:
        return self._rows[self.cursor] if self.cursor is not None and self._rows else None

    def set_rows(self, rows: list[str], draw: Callable[[str], Text], highlight: str | None = None) -> None:
        """Show these rows, the cursor on highlight if it is among them (else on the first)."""
        self._rows, self._draw, self._drawn = rows, draw, {}
        self._where = {row_id: n for n, row_id in enumerate(rows)}
        self.virtual_size = Size(max((self._text(rows[0]).cell_len if rows else 0), 1), len(rows))
        self.cursor = self._where.get(highlight or "", 0) if rows else None
        self.refresh()

    def redraw(self, row_id: str) -> None:
        """Draw row_id again (what draw() gives for it changed)."""
        if self._drawn.pop(row_id, None) is not None:
            self.refresh()

    def _text(self, row_id: str) -> Text:
        text = self._drawn.get(row_id)
        if text is None:
            text = self._drawn[row_id] = self._draw(row_id)
        return text

    # -- drawing --------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self._rows):
            return Strip.blank(width, base)
        style = self.get_component_rich_style("row-list--cursor") if index == self.cursor else base
        segments = self._text(self._rows[index]).render(self.app.console)
        strip = Strip(list(segments)).apply_style(style)
        return strip.extend_cell_length(scroll_x + width, style).crop(scroll_x, scroll_x + width)

    def watch_cursor(self, cursor: int | None) -> None:
        if cursor is None:
            return
        height = self.scrollable_content_region.height or 1
        top = self.scroll_offset.y
        if cursor < top:
            self.scroll_to(y=cursor, animate=False, immediate=True)
        elif cursor >= top + height:
            self.scroll_to(y=cursor - height + 1, animate=False, immediate=True)
        self.refresh()

    # -- moving ---------------------------------------------------------------------

    def _move(self, to: int) -> None:
        if self._rows:
            self.cursor = max(0, min(len(self._rows) - 1, to))

    def action_cursor_up(self) -> None:
        self._move((self.cursor or 0) - 1)

    def action_cursor_down(self) -> None:
        self._move((self.cursor or 0) + 1 if self.cursor is not None else 0)

    def action_page_up(self) -> None:
        self._move((self.cursor or 0) - max(1, self.scrollable_content_region.height - 1))

    def action_page_down(self) -> None:
        self._move((self.cursor or 0) + max(1, self.scrollable_content_region.height - 1))

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self._rows) - 1)

    def action_select(self) -> None:
        row_id = self.highlighted_id
        if row_id is not None:
            self.post_message(self.Selected(row_id))

    def on_click(self, event: Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self._rows):
            if index == self.cursor:
                self.action_select()
            else:
                self.cursor = index
