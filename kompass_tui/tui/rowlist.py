"""A list of any length: only the rows on screen are drawn (Textual's line API), and each row's
text is made only when it is first drawn, so 14,500 evaluations cost home what 20 do. Rows are ids;
draw(id) gives a row's Text with the user text already made safe. One row is highlighted (the
cursor); enter or a click on it selects it."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from kompass_tui.tui.widgets import translate_bindings


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
        Binding("up", "cursor_up", "k_up", show=False, system=True, id="kompass.list.up"),
        Binding("down", "cursor_down", "k_down", show=False, system=True, id="kompass.list.down"),
        Binding("pageup", "page_up", "k_page_up", show=False, system=True, id="kompass.list.page_up"),
        Binding("pagedown", "page_down", "k_page_down", show=False, system=True, id="kompass.list.page_down"),
        Binding("home", "first", "k_first", show=False, system=True, id="kompass.list.first"),
        Binding("end", "last", "k_last", show=False, system=True, id="kompass.list.last"),
        Binding("enter", "select", "k_open", id="kompass.home.open"),
    ]

    cursor: reactive[int | None] = reactive(None, always_update=True, repaint=False)  # (watch_cursor draws)

    class Selected(Message):
        def __init__(self, row_list: RowList, row_id: str) -> None:
            super().__init__()
            self.row_list = row_list
            self.row_id = row_id

        @property
        def control(self) -> RowList:
            return self.row_list

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        translate = getattr(self.app, "t", None)  # the Kompass app's words (a test's App has none)
        if translate is not None:
            translate_bindings(self, translate)
        self._rows: list[str] = []
        self._where: dict[str, int] = {}
        self._draw: Callable[[str], Text] = Text
        self._drawn: dict[str, Text] = {}  # rows drawn so far (a screenful or a few)
        self._styles: tuple[Style, Style] | None = None  # (render_lines)
        # Lines as drawn, by what they show: a list shown again (another area's) is not drawn anew.
        self._strips: LRUCache[tuple[object, ...], Strip] = LRUCache(1024)

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
        self.virtual_size = self._virtual()
        self.cursor = self._where.get(highlight or "", 0) if rows else None
        self.refresh()

    def _virtual(self) -> Size:
        """The size of the whole list (as wide as its first row)."""
        return Size(max((self._text(self._rows[0]).cell_len if self._rows else 0), 1), len(self._rows))

    def cursor_to_top(self) -> None:
        """Scroll the highlighted row to the top (as far as the list goes)."""
        if self.cursor is not None:
            self.scroll_to(y=self._lines_of(self.cursor)[0], animate=False, immediate=True)

    def row_text(self, row_id: str) -> str:
        """A row's text, as plain text (all of it, however it wraps)."""
        return self._text(row_id).plain if row_id in self._where else ""

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

    def render_lines(self, crop: Region) -> list[Strip]:
        # The styles once for all the lines drawn now, not once a line (each walks the ancestors).
        self._styles = (self.rich_style, self.get_component_rich_style("row-list--cursor"))
        try:
            return super().render_lines(crop)
        finally:
            self._styles = None

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base, cursor = self._styles or (self.rich_style, self.get_component_rich_style("row-list--cursor"))
        found = self._line(scroll_y + y)
        if found is None:
            return Strip.blank(width, base)
        row, text = found
        style = cursor if row == self.cursor else base
        key = (text.plain, tuple(text.spans), style, scroll_x, width)
        strip = self._strips.get(key)
        if strip is None:
            strip = Strip(list(text.render(self.app.console))).apply_style(style)
            strip = self._strips[key] = strip.extend_cell_length(scroll_x + width, style).crop(
                scroll_x, scroll_x + width
            )
        return strip

    def _line(self, y: int) -> tuple[int, Text] | None:
        """The row on line y of the list, and that line's text."""
        return (y, self._text(self._rows[y])) if y < len(self._rows) else None

    def _lines_of(self, row: int) -> tuple[int, int]:
        """The first and last line of a row."""
        return row, row

    def watch_cursor(self, before: int | None, cursor: int | None) -> None:
        if cursor is None:
            return
        first, last = self._lines_of(cursor)
        height = self.scrollable_content_region.height or 1
        top = self.scroll_offset.y
        if first < top:
            self.scroll_to(y=first, animate=False, immediate=True)
        elif last >= top + height:
            self.scroll_to(y=max(first, last - height + 1), animate=False, immediate=True)
        elif before is not None and before < len(self._rows):  # only the two rows are drawn again
            for row in (before, cursor):
                start, end = self._lines_of(row)
                self.refresh_lines(start, end - start + 1)
            return
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
            self.post_message(self.Selected(self, row_id))

    def on_click(self, event: Click) -> None:
        found = self._line(self.scroll_offset.y + event.y)
        if found is not None:
            index = found[0]
            if index == self.cursor:
                self.action_select()
            else:
                self.cursor = index


Entry = tuple[str, Text, str]  # a WrappedList row: its id, its text, its figure ("" for none)


class WrappedList(RowList):
    """A short RowList whose rows wrap: each row's text over as many lines as the width needs,
    with its figure on the right of its first line. It holds pages, sets of rows shown one at a
    time (show_page): all laid out when they or the width change, and the list as high as the
    highest, so showing another page draws this one widget again and lays nothing out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "k_open", show=False, id="kompass.list.select"),  # (the screen's footer says what)
    ]
    DEFAULT_CSS = """
    WrappedList {
        overflow-x: hidden;
        scrollbar-gutter: stable;  /* the lines are as wide with a scroll bar as without */
        padding: 0 1;
    }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._pages: dict[str, list[Entry]] = {}
        self._page = ""
        self._laid: dict[str, tuple[list[tuple[int, Text]], list[tuple[int, int]]]] = {}
        self._laid_out = -1  # the width the pages were laid out for
        self._lines: list[tuple[int, Text]] = []  # the page shown: each line's row and text
        self._spans: list[tuple[int, int]] = []  # the page shown: each row's first and last line

    @property
    def page(self) -> str:
        return self._page

    @property
    def lines(self) -> list[str]:
        """The page shown, line by line, as plain text."""
        return [text.plain for _, text in self._lines]

    def set_rows(
        self,
        rows: list[str],
        draw: Callable[[str], Text],
        highlight: str | None = None,
        figure: Callable[[str], str] | None = None,
    ) -> None:
        """One page of rows."""
        self.set_pages({"": [(row_id, draw(row_id), figure(row_id) if figure else "") for row_id in rows]})
        self.show_page("", highlight)

    def set_pages(self, pages: dict[str, list[Entry]]) -> None:
        """The pages this list shows, one at a time; show_page then shows one."""
        self._pages = pages
        self._lay_out(self.scrollable_content_region.width)

    def show_page(self, page: str, highlight: str | None = None) -> None:
        """Show a page, the cursor on highlight if it is there (else on its first row)."""
        self._page = page
        entries = self._pages.get(page, [])
        self._lines, self._spans = self._laid.get(page, ([], []))
        texts = {row_id: text for row_id, text, _ in entries}
        super().set_rows(list(texts), texts.__getitem__, highlight)

    def _lay_out(self, width: int) -> None:
        """Lay the pages out for this width (none before the list has one: on_resize does then)."""
        self._laid_out = width
        pages = self._pages if width > 0 else {}
        self._laid = {page: self._lay_out_page(entries, width) for page, entries in pages.items()}
        self._lines, self._spans = self._laid.get(self._page, ([], []))

    def _lay_out_page(self, entries: list[Entry], width: int) -> tuple[list[tuple[int, Text]], list[tuple[int, int]]]:
        lines: list[tuple[int, Text]] = []
        spans: list[tuple[int, int]] = []
        for n, (_, text, figure) in enumerate(entries):
            first = len(lines)
            parts = self._wrap(text, width, figure)
            if figure:  # on the first line, right-aligned
                head = parts[0].copy()
                head.pad_right(width - len(figure) - 1 - head.cell_len)
                head.append(" " + figure)
                parts[0] = head
            lines.extend((n, part) for part in parts)
            spans.append((first, len(lines) - 1))
        return lines, spans

    def _wrap(self, text: Text, width: int, figure: str) -> list[Text]:
        """The text's lines: the first leaves room for the figure, the others have the whole width.
        A row that starts with spaces keeps them on every line (a hanging indent)."""
        indent = len(text.plain) - len(text.plain.lstrip(" "))
        if indent and width - indent >= 20:
            margin = " " * indent
            return [Text(margin).append_text(part) for part in self._wrap(text[indent:], width - indent, figure)]
        console = self.app.console
        room = max(1, width - len(figure) - 1) if figure else max(1, width)
        first, *more = text.wrap(console, room) or [Text()]
        if not more or room == width:
            return [first, *more]
        rest = text[len(first.plain) :]
        rest = rest[len(rest.plain) - len(rest.plain.lstrip()) :]
        return [first, *rest.wrap(console, max(1, width))]

    def _virtual(self) -> Size:
        tallest = max((len(lines) for lines, _ in self._laid.values()), default=0)
        return Size(max(1, self._laid_out), max(tallest, self.scrollable_content_region.height))

    @property
    def max_scroll_y(self) -> int:
        """Scrolled no further than the page shown goes (the list is as high as the highest)."""
        return max(0, len(self._lines) - (self.container_size.height - self.scrollbar_size_horizontal))

    def _line(self, y: int) -> tuple[int, Text] | None:
        return self._lines[y] if 0 <= y < len(self._lines) else None

    def _lines_of(self, row: int) -> tuple[int, int]:
        return self._spans[row] if row < len(self._spans) else (row, row)

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        if width > 0 and width != self._laid_out:  # (a screen under a dialog may be sized 0 for a moment)
            self._lay_out(width)
            self.virtual_size = self._virtual()
            self.refresh()
