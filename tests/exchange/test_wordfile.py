"""The Word document: made from the report's Markdown, read back with python-docx."""

import re
import struct
import zipfile
import zlib
from io import BytesIO

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from kompass_tui.core import edits
from kompass_tui.exchange import report, wordfile

NOMINEES = ["kalix-2003", "nacka-2003", "vasteras-2003", "trollhattan-2003"]
HOSTILE = '<w:fldSimple w:instr="DDE"> { DDE "cmd" } \x1b[2J \x00 ]]> <script>x</script> **bold**'


def png(width: int = 4, height: int = 3) -> bytes:
    """A small PNG made by hand (no drawing library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x20\x60\xa0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def read(data: bytes) -> docx.document.Document:
    return docx.Document(BytesIO(data))


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(BytesIO(data)) as z:
        return etree.fromstring(z.read(name))


def styled(doc: docx.document.Document, style: str) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style is not None and p.style.name == style]


def cells(table: docx.table.Table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def table_headed(doc: docx.document.Document, first: str) -> docx.table.Table:
    return next(t for t in doc.tables if t.rows[0].cells[0].text == first)


def test_sections_are_headings_and_the_title_is_the_title(demo, fw):
    ev = demo.get("botkyrka-2003")
    text = report.render(ev, fw, "sv", table=demo.comparison(["botkyrka-2003", *NOMINEES]), charts=False)
    doc = read(wordfile.write(text, {}, "sv", ev.title))

    assert styled(doc, "Title") == ["Kommunkompassen 2003: Botkyrka 2003"]
    sections = [re.sub(r"\\(.)", r"\1", line[3:]) for line in text.splitlines() if line.startswith("## ")]
    assert styled(doc, "Heading 1") == sections
    assert "Tabell 1 Botkyrka 2003 i förhållande till Kommunkompassen 2003" in sections
    assert "Område 1 Offentlighet och demokratisk kontroll: 83 av 100" in sections
    assert "1 Offentlighet och demokratisk kontroll" in styled(doc, "Heading 2")  # the action plan's areas
    headings = [p for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert all(p.paragraph_format.page_break_before for p in headings)


def test_the_title_page_has_the_facts_as_paragraphs_and_lists_are_lists(demo, fw):
    ev = demo.get("botkyrka-2003")
    doc = read(wordfile.write(report.render(ev, fw, "sv", charts=False), {}, "sv", ev.title))
    first = next(i for i, p in enumerate(doc.paragraphs) if p.style is not None and p.style.name == "Heading 1")
    title_page = doc.paragraphs[:first]
    assert [p.style.name for p in title_page if p.style is not None] == ["Title"] + ["Normal"] * 5
    facts = title_page[1]
    assert facts.text == "Ramverk: Kommunkompassen 2003"
    assert facts.runs[0].text == "Ramverk:" and facts.runs[0].bold and not facts.runs[1].bold
    assert title_page[-1].runs[0].italic  # the note on the maxima
    bullets = styled(doc, "List Bullet")
    assert "Välutvecklad hemsida med nämndhandlingar och snabbt sammandrag av fullmäktige" in bullets
    assert "Styrkor" in styled(doc, "Normal")


def test_the_area_table_is_a_table_with_its_numbers_right_aligned(demo, fw):
    ev = demo.get("botkyrka-2003")
    data = wordfile.write(report.render(ev, fw, "sv", charts=False), {}, "sv", ev.title)
    doc = read(data)
    table = table_headed(doc, "Område")
    rows = cells(table)
    assert rows[0] == ["Område", "Poäng", "Max"]
    assert [r[1] for r in rows[1:]] == ["83", "76,5", "89,5", "81,5", "76", "72,5", "67", "93", "639"]
    assert rows[-1] == ["Totalt", "639", "800"]
    assert table.style is not None and table.style.name == "Table Grid"

    header = table.rows[0]._tr.trPr
    assert header is not None and header.find(qn("w:tblHeader")) is not None
    assert table.rows[1]._tr.trPr.find(qn("w:tblHeader")) is None
    assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)
    total = table.rows[-1].cells
    assert all(cell.paragraphs[0].runs[0].bold for cell in total)
    assert not table.rows[1].cells[1].paragraphs[0].runs[0].bold

    for row in table.rows:
        first, *numbers = (cell.paragraphs[0] for cell in row.cells)
        assert first.alignment is None
        assert all(p.alignment == WD_ALIGN_PARAGRAPH.RIGHT for p in numbers)
    widths = [col.width for col in table.columns]
    assert widths[0] > 3 * widths[1] and abs(sum(widths) - Cm(16)) < Cm(0.01)
    assert not table.autofit
    assert [c.width for c in table.rows[3].cells] == widths


def test_a_cell_with_line_breaks_keeps_them(demo, fw):
    ev = demo.get("botkyrka-2003")
    doc = read(wordfile.write(report.render(ev, fw, "sv", charts=False), {}, "sv", ev.title))
    plan = next(t for t in doc.tables if t.rows[0].cells[1].text == "Rubrik")
    title, _details, area = plan.rows[1].cells[1].text.split("\n")
    assert title == "Datorer för medborgarna på bibliotek och medborgarkontor"
    assert area.startswith("Utvecklingsområde 1: Placera datorer")
    assert plan.rows[1].cells[1].paragraphs[0].runs[-1].italic

    small = read(wordfile.write("| a | b |\n|---|--:|\n| x<br>y | 1 |\n", {}, "en", "t"))
    assert cells(small.tables[0]) == [["a", "b"], ["x\ny", "1"]]


def test_tables_of_one_header_line_up(demo, fw):
    ev = demo.get("botkyrka-2003")
    doc = read(wordfile.write(report.render(ev, fw, "sv", charts=False), {}, "sv", ev.title))
    plans = [t for t in doc.tables if t.rows[0].cells[1].text == "Rubrik"]
    assert len(plans) > 1
    assert len({tuple(col.width for col in t.columns) for t in plans}) == 1


def test_a_picture_has_its_caption_as_alt_text_and_under_it():
    text = "# T\n\n## Profil\n\n![Profil för Botkyrka 2003](chart-1)\n\n![Jämförelse](chart-2)\n"
    data = wordfile.write(text, {"chart-1": png()}, "sv", "T")
    doc = read(data)
    assert len(doc.inline_shapes) == 1
    shape = doc.inline_shapes[0]
    assert shape.width == Cm(16)
    assert shape._inline.docPr.get("descr") == "Profil för Botkyrka 2003"
    assert styled(doc, "Caption") == ["Profil för Botkyrka 2003", "Jämförelse"]  # chart-2: its caption only
    holder = next(p for p in doc.paragraphs if p._p.xpath(".//w:drawing"))
    assert holder.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_text_charts_are_monospaced_and_keep_their_lines(demo, fw):
    ev = demo.get("botkyrka-2003")
    doc = read(wordfile.write(report.render(ev, fw, "sv", charts=True), {}, "sv", ev.title))
    charts = [p for p in doc.paragraphs if p.style is not None and p.style.name == wordfile.CHART_STYLE]
    assert charts and all(p.text.count("\n") > 5 for p in charts)
    style = doc.styles[wordfile.CHART_STYLE]
    assert style.font.name == "Consolas" and style.font.size is not None and style.font.size.pt == 8
    assert style.base_style is not None and style.base_style.name == "Normal"


def test_inline_markdown_becomes_runs():
    text = '# T\n\n## S\n\nsoft\nbreak, hard\\\nbreak, *em* **strong** <b onclick="x">raw</b> and<br>br\n'
    doc = read(wordfile.write(text, {}, "en", "T"))
    p = doc.paragraphs[-1]
    assert p.text == 'soft break, hard\nbreak, em strong <b onclick="x">raw</b> and\nbr'
    assert [r.text for r in p.runs if r.italic] == ["em"] and [r.text for r in p.runs if r.bold] == ["strong"]
    quoted = read(wordfile.write("<div>\n<w:fldSimple/>\n</div>\n", {}, "en", "T"))
    assert quoted.paragraphs[0].text == "<div>\n<w:fldSimple/>\n</div>"


def test_page_footer_language_and_properties():
    for lang, tag, words in (("sv", "sv-SE", ("Sida ", " av ")), ("en", "en-GB", ("Page ", " of "))):
        data = wordfile.write("# Titel\n\n## Ett\n\ntext\n", {}, lang, "Botkyrka 2003")
        doc = read(data)
        section = doc.sections[0]
        sizes = [section.page_width, section.page_height, section.left_margin, section.right_margin]
        sizes += [section.top_margin, section.bottom_margin]
        expected = [Cm(21), Cm(29.7)] + [Cm(2.5)] * 4
        assert all(abs(a - b) < Cm(0.01) for a, b in zip(sizes, expected, strict=True))
        footer = section.footer.paragraphs[0]
        assert footer.alignment == WD_ALIGN_PARAGRAPH.CENTER
        codes = [t.text.strip() for t in footer._p.iter(qn("w:instrText"))]
        assert codes == ["PAGE", "NUMPAGES"]
        assert "".join(t.text for t in footer._p.iter(qn("w:t"))) == f"{words[0]}1{words[1]}1"
        assert doc.core_properties.title == "Botkyrka 2003" and doc.core_properties.language == tag
        assert doc.core_properties.author == ""
        styles = part(data, "word/styles.xml")
        lang_el = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
        assert lang_el is not None and lang_el.get(qn("w:val")) == tag
        assert part(data, "word/settings.xml").find(qn("w:proofState")) is None  # Word checks the spelling


def no_fields(data: bytes) -> bool:
    body = part(data, "word/document.xml")
    return not [*body.iter(qn("w:fldSimple")), *body.iter(qn("w:instrText")), *body.iter(qn("w:hyperlink"))]


def test_hostile_text_is_shown_as_typed_and_never_a_field(demo, fw):
    ev = demo.apply(
        "botkyrka-2003", edits.chain(edits.note("1.1", HOSTILE), edits.text("summary", HOSTILE + "\n- " + HOSTILE))
    )
    data = wordfile.write(report.render(ev, fw, "sv", charts=False), {}, "sv", HOSTILE)
    doc = read(data)
    body = "\n".join(p.text for p in doc.paragraphs)
    for piece in ('<w:fldSimple w:instr="DDE">', '{ DDE "cmd" }', "[2J", "]]>", "<script>x</script>", "**bold**"):
        assert piece in body
    assert no_fields(data)
    assert "\x1b" not in body and "\x00" not in body
    title = doc.core_properties.title
    assert '<w:fldSimple w:instr="DDE">' in title and "␛[2J" in title and "\x1b" not in title


def test_raw_controls_in_the_markdown_are_dropped():
    text = (
        '# A\x1b[2J\x00B\ufffe\ud800C\n\n## S\n\n<w:fldSimple w:instr="DDE"> \x07x\x0cy\r\n\n| a |\n|---|\n| \x00z |\n'
    )
    doc = read(wordfile.write(text, {}, "sv", "t\x00\ud800\x1b"))
    assert styled(doc, "Title") == ["A[2J\ufffdBC"]  # markdown-it makes NUL U+FFFD; the rest is dropped
    assert doc.paragraphs[-1].text == '<w:fldSimple w:instr="DDE"> xy'
    assert cells(doc.tables[0])[1] == ["\ufffdz"]
    assert doc.core_properties.title == "t\u2400\\ud800\u241b"  # shown as sanitize.visible shows them


@settings(max_examples=40)
@given(st.text(st.characters(exclude_categories=())))
def test_no_text_makes_writing_fail(text):
    markdown = f"# {text}\n\n- **{text}** {text}\n\n## {text}\n\n{text}\n\n| {text} | n |\n|---|--:|\n| {text} | 1 |\n"
    data = wordfile.write(markdown, {text: png()}, "sv", text)
    assert no_fields(data)
    read(data)
