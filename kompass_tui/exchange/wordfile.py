"""The report as a Word document, made from the report's own Markdown (markdown.parse: its tokens, never
the Markdown re-read by hand), so the document holds exactly what the Markdown holds.

Built-in styles only, so a template can restyle the document by name: the `#` title is "Title" and
with the facts list (plain paragraphs here, bold labels kept) and the note under it makes the title
page; `##` is "Heading 1" and starts a new page (each area on a page of its own, as printed), `###`
"Heading 2", `####` "Heading 3"; paragraphs "Normal", lists "List Bullet" ("List Number" for a
numbered one), tables "Table Grid" (header row repeated on every page, number columns right-aligned),
a chart's picture centred with the chart's caption as its alt text and as a "Caption" paragraph under
it. A chart drawn as text (a fenced block) is the one style of our own: "Kompass Chart Text",
monospaced. A4, 2.5 cm margins, "Sida N av M" / "Page N of M" centred in the footer; the proofing
language is the report's, so Word spell-checks in it.

User text only ever becomes the text of a run (python-docx escapes it) or the pictures' alt text (an
attribute lxml escapes), never a field, a hyperlink or a style name: the two fields in the footer are
constant. Characters XML 1.0 cannot hold are dropped first, so no text can make `write` fail.
python-docx (the documents extra) is imported only when a document is made.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from typing import TYPE_CHECKING, Literal
from urllib.parse import unquote

from kompass_tui.core.sanitize import visible
from kompass_tui.exchange import markdown as md

if TYPE_CHECKING:
    from docx.document import Document
    from docx.shared import Length
    from docx.styles.style import ParagraphStyle
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run
    from markdown_it.token import Token

CHART_STYLE = "Kompass Chart Text"  # the one style of our own: a chart drawn as text
CHART_FONT = "Consolas"  # LibreOffice and Word without it take a monospaced one (fontconfig: DejaVu Sans Mono)
LANGUAGES = {"sv": "sv-SE", "en": "en-GB"}
PAGE_OF = {"sv": ("Sida", "av"), "en": ("Page", "of")}
PAGE_WIDTH_CM, PAGE_HEIGHT_CM, MARGIN_CM = 21.0, 29.7, 2.5
TEXT_WIDTH_CM = PAGE_WIDTH_CM - 2 * MARGIN_CM  # 16 cm: a picture's width and a table's
MAX_TITLE = 255  # the most characters a core property holds

# What XML 1.0 cannot hold: C0 controls but tab and newline (and CR, which python-docx would make a
# line break), the non-characters U+FFFE and U+FFFF, and lone surrogates.
_NOT_XML = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff]")
_RIGHT = re.compile(r"text-align:\s*right")
_CENTER = re.compile(r"text-align:\s*center")

# Column widths: a generous estimate of a character's width at 11 pt (Calibri, Normal's font, is
# narrower than the DejaVu LibreOffice takes without it), and a cell's margins with room to spare; a
# table whose columns cannot fit their longest words at 11 pt is set at 9 or 8 pt.
_CHAR_CM = 0.235
_BOLD = 1.1
_CELL_PAD_CM = 0.6
_TABLE_SIZES = (11, 9, 8)


def write(markdown: str, pictures: Mapping[str, bytes], lang: str, title: str) -> bytes:
    """The report as a Word document (.docx bytes). markdown: the report (exchange.report.render);
    pictures: each chart's PNG by the name its image paragraph `![caption](name)` links to (one not
    given is left as its caption); lang: "sv" or "en" (the footer's words and the proofing
    language); title: the document's title property."""
    import docx

    doc = docx.Document()
    _page(doc, lang)
    _language(doc, LANGUAGES.get(lang, "en-GB"))
    _properties(doc, title, LANGUAGES.get(lang, "en-GB"))
    tokens = md.parse(markdown)
    _Writer(doc, pictures, _layouts(tokens)).blocks(tokens)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def xml_safe(text: str) -> str:
    """text without the characters XML 1.0 cannot hold (tab and newline kept)."""
    return _NOT_XML.sub("", text)


# -- the document's frame: page, footer, language, properties -------------------------------------


def _page(doc: Document, lang: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    section = doc.sections[0]
    section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
    section.left_margin = section.right_margin = Cm(MARGIN_CM)
    section.top_margin = section.bottom_margin = Cm(MARGIN_CM)
    section.header_distance = section.footer_distance = Cm(1.25)
    page, of = PAGE_OF.get(lang, PAGE_OF["en"])
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(f"{page} ")
    _field(footer, "PAGE")
    footer.add_run(f" {of} ")
    _field(footer, "NUMPAGES")


def _field(paragraph: Paragraph, code: Literal["PAGE", "NUMPAGES"]) -> None:
    """A field of a constant code (never user text) as Word writes it: begin, instruction, separate,
    a result shown until the field is updated, end."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for part in ("begin", "instr", "separate", "result", "end"):
        r = paragraph.add_run()._r
        if part == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {code} "
            r.append(instr)
        elif part == "result":
            r.add_t("1")
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), part)  # not dirty: Word would ask to update fields
            r.append(char)


def _language(doc: Document, tag: str) -> None:
    """The proofing language (the default run properties' w:lang) and the theme's font language;
    the template's note that the text was spell-checked already goes, so Word checks it."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = doc.styles.element
    rpr = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr is not None:
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), tag)
        lang.set(qn("w:eastAsia"), tag)
    settings = doc.settings.element
    for proof in settings.findall(qn("w:proofState")):
        settings.remove(proof)
    theme = settings.find(qn("w:themeFontLang"))
    if theme is not None:
        theme.set(qn("w:val"), tag)


def _properties(doc: Document, title: str, tag: str) -> None:
    """Title and language; the template's author, description and thumbnail go."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    props = doc.core_properties
    shown = " ".join(xml_safe(visible(title)).split())
    props.title = shown[: MAX_TITLE - 1] + "…" if len(shown) > MAX_TITLE else shown
    props.language = tag
    props.author = props.comments = props.last_modified_by = ""
    props.revision = 1
    props.created = props.modified = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    rels = doc.part.package.rels
    for rid in [rid for rid, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        del rels[rid]


# -- the body: the Markdown's tokens in order --------------------------------------------------------


@dataclass
class _Cell:
    inline: Token | None
    align: str  # "left", "right" or "center"
    header: bool


_Layout = tuple[list["Length"], int]  # a table's column widths and font size


@dataclass
class _Writer:
    doc: Document
    pictures: Mapping[str, bytes]
    layouts: dict[tuple[str, ...], _Layout]  # by the header row's texts (_key)
    title_page: bool = True  # until the first `##`
    lists: list[str] = field(default_factory=list)  # "bullet" or "number", outermost first
    quotes: int = 0
    item_paragraphs: int = 0  # paragraphs so far in the list item open
    after_table: bool = False
    ids: dict[str, str | None] = field(default_factory=dict)  # style name: its id (None: Normal)

    def blocks(self, tokens: Sequence[Token]) -> None:
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            kind = tok.type
            if kind in ("heading_open", "paragraph_open"):
                inline = tokens[i + 1] if i + 1 < len(tokens) and tokens[i + 1].type == "inline" else None
                if kind == "heading_open":
                    self.heading(int(tok.tag[1:]), inline)
                else:
                    self.paragraph(inline)
                i += 3 if inline is not None else 2
                continue
            if kind == "table_open":
                end = _table_end(tokens, i)
                rows = _rows(tokens[i + 1 : end])
                if rows:
                    _table(self.doc, rows, self.layouts[_key(rows)])
                    self.after_table = True
                i = end + 1
                continue
            if kind in ("bullet_list_open", "ordered_list_open"):
                self.lists.append("bullet" if kind == "bullet_list_open" else "number")
            elif kind in ("bullet_list_close", "ordered_list_close"):
                if self.lists:
                    self.lists.pop()
            elif kind == "list_item_open":
                self.item_paragraphs = 0
            elif kind == "blockquote_open":
                self.quotes += 1
            elif kind == "blockquote_close":
                self.quotes = max(0, self.quotes - 1)
            elif kind in ("code_block", "fence"):
                self.chart_text(tok.content)
            elif kind == "html_block":  # never ours: shown as the text it is
                self.literal(tok.content)
            i += 1

    def add(self, style: str) -> Paragraph:
        """A new paragraph in a style given by name: a built-in one of the template, or ours.
        (The style's id is looked up once: python-docx's own lookup reads every style each time.)"""
        if style not in self.ids:
            if style == CHART_STYLE:
                self.ids[style] = _chart_style(self.doc)
            else:
                found = self.doc.styles[style]
                self.ids[style] = None if found.style_id == self.doc.styles["Normal"].style_id else found.style_id
        p = self.doc.add_paragraph()
        style_id = self.ids[style]
        if style_id is not None:
            p._p.style = style_id
        if self.after_table and not style.startswith(("Heading", "Title")):
            from docx.shared import Pt

            p.paragraph_format.space_before = Pt(10)  # Word leaves no room under a table
        self.after_table = False
        return p

    def heading(self, level: int, inline: Token | None) -> None:
        if level == 1:
            p = self.add("Title")
        else:
            started = len(self.doc.element.body) > 1  # more than the section properties
            p = self.add(f"Heading {min(level - 1, 9)}")
            if level == 2:
                self.title_page = False
                if started:  # (a break before the first paragraph would leave a blank page)
                    p.paragraph_format.page_break_before = True
        _runs(p, inline)

    def paragraph(self, inline: Token | None) -> None:
        kids = [c for c in (inline.children or []) if c.type != "softbreak" and not _blank(c)] if inline else []
        if kids and all(c.type == "image" for c in kids):
            for image in kids:
                self.figure(image)
            return
        p = self.add(self.paragraph_style())
        _runs(p, inline)

    def paragraph_style(self) -> str:
        if self.lists and not self.title_page:
            level = min(len(self.lists), 3)
            self.item_paragraphs += 1
            if self.item_paragraphs > 1:
                name = "List Continue"
            else:
                name = "List Bullet" if self.lists[-1] == "bullet" else "List Number"
            return name if level == 1 else f"{name} {level}"
        return "Quote" if self.quotes else "Normal"

    def figure(self, image: Token) -> None:
        """A chart: its picture (when given) centred, and its caption under it."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml.ns import qn
        from docx.shared import Cm

        caption = " ".join(_plain(image.children or []).split())
        src = str(image.attrs.get("src", ""))
        png = self.pictures.get(src, self.pictures.get(unquote(src)))
        if png is not None:
            p = self.add("Normal")
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.keep_with_next = True  # with its caption
            shape = p.add_run().add_picture(BytesIO(png), width=Cm(TEXT_WIDTH_CM))
            doc_pr = shape._inline.find(qn("wp:docPr"))
            if doc_pr is not None:
                doc_pr.set("descr", caption)
        p = self.add("Caption")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(caption)

    def chart_text(self, text: str) -> None:
        """A chart drawn as text: one monospaced paragraph, its lines kept."""
        from docx.oxml.ns import qn

        p = self.add(CHART_STYLE)
        run = p.add_run(xml_safe(text.rstrip("\n")))
        for t in run._r.findall(qn("w:t")):
            t.set(qn("xml:space"), "preserve")  # the spaces that line the chart up

    def literal(self, text: str) -> None:
        p = self.add(self.paragraph_style())
        p.add_run(xml_safe(text.rstrip("\n")))


def _chart_style(doc: Document) -> str:
    """Our style for a chart drawn as text: Normal in a monospaced font at 8 pt, single-spaced, not
    broken over pages and not spell-checked. Its id."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style: ParagraphStyle = doc.styles.add_style(CHART_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.next_paragraph_style = doc.styles["Normal"]
    style.font.size = Pt(8)
    style.font.no_proof = True  # a chart's labels are not prose to spell-check
    style.paragraph_format.line_spacing = 1.0
    style.paragraph_format.space_after = Pt(10)
    style.paragraph_format.keep_together = True
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):  # box drawing and blocks are in every slot's range
        fonts.set(qn(f"w:{slot}"), CHART_FONT)
    return style.style_id


def _table_end(tokens: Sequence[Token], start: int) -> int:
    return next((j for j in range(start, len(tokens)) if tokens[j].type == "table_close"), len(tokens))


def _rows(tokens: Sequence[Token]) -> list[list[_Cell]]:
    """A table's rows (the tokens between table_open and table_close): each cell's inline token and
    its alignment (the pipe table's `--:`, which markdown-it gives as style="text-align:right")."""
    rows: list[list[_Cell]] = []
    header = False
    for i, tok in enumerate(tokens):
        if tok.type in ("thead_open", "thead_close"):
            header = tok.type == "thead_open"
        elif tok.type == "tr_open":
            rows.append([])
        elif tok.type in ("th_open", "td_open") and rows:
            style = str(tok.attrs.get("style", ""))
            align = "right" if _RIGHT.search(style) else "center" if _CENTER.search(style) else "left"
            nxt = tokens[i + 1] if i + 1 < len(tokens) and tokens[i + 1].type == "inline" else None
            rows[-1].append(_Cell(nxt, align, header or tok.type == "th_open"))
    return [row for row in rows if row]


def _key(rows: list[list[_Cell]]) -> tuple[str, ...]:
    """Tables of one header row (the action plan's, an area's sub-questions) are laid out alike."""
    return tuple(_plain(c.inline.children or [] if c.inline else []) for c in rows[0])


def _layouts(tokens: Sequence[Token]) -> dict[tuple[str, ...], _Layout]:
    """Every table's column widths and font size, worked out over all the tables of its header row
    so that the action plan's tables, one an area, line up."""
    alike: dict[tuple[str, ...], list[list[_Cell]]] = {}
    for i, tok in enumerate(tokens):
        if tok.type == "table_open":
            rows = _rows(tokens[i + 1 : _table_end(tokens, i)])
            if rows:
                alike.setdefault(_key(rows), []).extend(rows)
    return {key: _widths(rows) for key, rows in alike.items()}


def _table(doc: Document, rows: list[list[_Cell]], layout: _Layout) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    aligns = {"right": WD_ALIGN_PARAGRAPH.RIGHT, "center": WD_ALIGN_PARAGRAPH.CENTER}
    widths, size = layout
    table: Table = doc.add_table(rows=len(rows), cols=len(widths), style="Table Grid")  # one lookup a table
    table.autofit = False
    for j, column in enumerate(table.columns):
        column.width = widths[j]
    tbl_w = table._tbl.tblPr.find(qn("w:tblW"))
    if tbl_w is not None:
        tbl_w.set(qn("w:type"), "dxa")
        tbl_w.set(qn("w:w"), str(sum(w.twips for w in widths)))
    for i, (row, cells) in enumerate(zip(table.rows, rows, strict=True)):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))  # a row is not broken over two pages
        if i == 0 and cells[0].header:
            tr_pr.append(OxmlElement("w:tblHeader"))  # repeated at the top of every page
        for j, cell in enumerate(row.cells):
            cell.width = widths[j]
            p = cell.paragraphs[0]
            if size != _TABLE_SIZES[0]:  # the paragraph mark too, or an empty cell keeps the row tall
                mark = OxmlElement("w:rPr")
                mark.append(OxmlElement("w:sz", {qn("w:val"): str(size * 2)}))
                p._p.get_or_add_pPr().append(mark)
            if j >= len(cells):
                continue
            if cells[j].align in aligns:
                p.alignment = aligns[cells[j].align]
            for run in _runs(p, cells[j].inline, bold=cells[j].header):
                if size != _TABLE_SIZES[0]:
                    run.font.size = Pt(size)


def _widths(rows: list[list[_Cell]]) -> _Layout:
    """Column widths filling the text width, and the font size the table is set in: each column as
    wide as its longest line where they all fit (the room left to the widest column of text); else
    each at least as wide as its longest word and the room left shared as the lines need it (as a
    browser lays a table out), so the first column of names is wide and number columns narrow."""
    from docx.shared import Cm

    cols = len(rows[0])  # markdown-it gives every row the header's cells
    longest = [0.0] * cols
    word = [0.0] * cols
    for row in rows:
        for j, cell in enumerate(row[:cols]):
            kids = cell.inline.children or [] if cell.inline else []
            weight = _BOLD if cell.header or any(k.type == "strong_open" for k in kids) else 1.0
            for line in _plain(kids, br="\n").split("\n"):
                longest[j] = max(longest[j], len(line) * weight)
                word[j] = max([word[j], *(len(w) * weight for w in line.split())])
    total = TEXT_WIDTH_CM
    for size in _TABLE_SIZES:
        char = _CHAR_CM * size / 11
        most = [n * char + _CELL_PAD_CM for n in longest]
        least = [n * char + _CELL_PAD_CM for n in word]
        if sum(least) <= total or size == _TABLE_SIZES[-1]:
            break
    if sum(most) <= total:
        widths = most
        texts = [j for j in range(cols) if rows[0][j].align == "left"] or [0]
        widths[max(texts, key=lambda j: most[j])] += total - sum(most)  # the widest column of text
    elif sum(least) <= total:
        spare, stretch = total - sum(least), sum(m - n for m, n in zip(most, least, strict=True))
        widths = [n + spare * (m - n) / stretch for m, n in zip(most, least, strict=True)]
    else:
        widths = [n * total / sum(least) for n in least]
    return [Cm(w) for w in widths], size


# -- runs --------------------------------------------------------------------------------------------


def _runs(p: Paragraph, inline: Token | None, bold: bool = False) -> list[Run]:
    """The inline tokens as runs of p: bold and italic from strong and em, hard breaks and our <br> as
    line breaks, a soft break as a space, any other raw HTML as its text. Runs of one format are
    joined."""
    out: list[Run] = []
    strong = em = 0
    text: list[str] = []
    fmt = (False, False)

    def flush() -> None:
        if text:
            run = p.add_run("".join(text))
            if fmt[0]:
                run.bold = True
            if fmt[1]:
                run.italic = True
            out.append(run)
            text.clear()

    def add(piece: str) -> None:
        nonlocal fmt
        if not piece:
            return
        now = (bold or strong > 0, em > 0)
        if now != fmt:
            flush()
            fmt = now
        text.append(piece)

    for tok in (inline.children or []) if inline is not None else []:
        kind = tok.type
        if kind == "strong_open":
            strong += 1
        elif kind == "strong_close":
            strong -= 1
        elif kind == "em_open":
            em += 1
        elif kind == "em_close":
            em -= 1
        elif kind in ("hardbreak",) or (kind == "html_inline" and tok.content == md.BREAK):
            add("\n")
        elif kind == "softbreak":
            add(" ")
        elif kind == "image":
            add(_one_line(_plain(tok.children or [])))
        elif kind in ("text", "code_inline", "html_inline", "html_block"):
            add(_one_line(tok.content))
    flush()
    return out


def _one_line(text: str) -> str:
    """User text for a run: what XML cannot hold dropped, and no line break of its own (python-docx
    would make one of a newline)."""
    return xml_safe(text).replace("\n", " ")


def _plain(children: Sequence[Token], br: str = " ") -> str:
    """Inline tokens as plain text (a caption, a cell's lines for its width)."""
    parts: list[str] = []
    for tok in children:
        if tok.type in ("text", "code_inline"):
            parts.append(tok.content)
        elif tok.type == "softbreak":
            parts.append(" ")
        elif tok.type == "hardbreak" or (tok.type == "html_inline" and tok.content == md.BREAK):
            parts.append(br)
        elif tok.type == "html_inline":
            parts.append(tok.content)
        elif tok.type == "image":
            parts.append(_plain(tok.children or [], br))
    return xml_safe("".join(parts))


def _blank(tok: Token) -> bool:
    return tok.type == "text" and not tok.content.strip()
