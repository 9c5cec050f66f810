"""The report a municipality receives, as documents (issue 17): `kompass export -F html|pdf|docx` and
the Markdown with its charts as pictures beside it (`-F md --images -o FILE`), read back as a
reader's program reads them: python-docx, an HTML parser, an XML parser, a real headless browser."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import docx
import pytest
from helpers import reevaluation
from test_cli import run

from kompass_tui.exchange import formats, pdffile

EID = "botkyrka-2003"
NOMINEES = ["kalix-2003", "nacka-2003", "vasteras-2003", "trollhattan-2003"]
SEED_AREAS = ["83", "76,5", "89,5", "81,5", "76", "72,5", "67", "93"]  # Tabell 1
SEED_TOTALS = ["639", "408", "525", "522,5", "619"]  # the comparison: Botkyrka and the four nominees
AREAS = 8


def export(db: Path, target: Path, *extra: object, eid: str = EID) -> Path:
    form = target.suffix.lstrip(".")
    run("export", eid, "-F", form, "--lang", "sv", "-o", target, "--db", db, *extra)
    return target


def markdown_headings(db: Path, *extra: object, eid: str = EID) -> list[tuple[int, str]]:
    """The Markdown report's section headings (## and ###) as a reader sees them (escapes undone)."""
    text = run("export", eid, "--lang", "sv", "--db", db, *extra).stdout
    found = re.findall(r"^(#{2,3}) (.+)$", text, flags=re.MULTILINE)
    return [(len(marks), re.sub(r"\\(.)", r"\1", title)) for marks, title in found]


def test_the_word_report_has_word_headings_real_tables_and_the_charts(db, tmp_path):
    document = docx.Document(str(export(db, tmp_path / "rapport.docx", "--compare", *NOMINEES)))
    headings = [
        (int(p.style.name.removeprefix("Heading ")) + 1, p.text)
        for p in document.paragraphs
        if p.style is not None and p.style.name.startswith("Heading ")
    ]
    assert headings == markdown_headings(db, "--compare", *NOMINEES)  # every section, as a Word heading
    assert any(p.style.name == "Title" and "Botkyrka 2003" in p.text for p in document.paragraphs)

    def rows(table: docx.table.Table) -> dict[str, list[str]]:
        return {row.cells[0].text: [c.text for c in row.cells[1:]] for row in table.rows}

    tables = [rows(table) for table in document.tables]
    table1 = next(t for t in tables if "1 Offentlighet och demokratisk kontroll" in t)
    assert [table1[name][0] for name in table1 if name[:1].isdigit()] == SEED_AREAS
    assert table1["Totalt"] == ["639", "800"]
    compared = next(t for t in tables if "Placering" in t)
    assert compared["Totalt"][:5] == SEED_TOTALS and compared["Totalt"][5] == "542,7"
    assert len(document.inline_shapes) == 2  # the profile and the comparison, as pictures
    assert [p.text for p in document.paragraphs if p.style.name == "Caption"] == [
        "Profil",
        "Jämförelse med andra kommuner",
    ]


def test_the_word_report_of_a_reevaluation_draws_the_change_and_the_trend(bench, db_path, tmp_path):
    reevaluation(bench)
    document = docx.Document(str(export(db_path, tmp_path / "2008.docx", eid="botkyrka-2008")))
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions == ["Profil", "Förändring sedan 2003", "Totalpoängen över omgångarna"]
    assert len(document.inline_shapes) == 3


class _Page(HTMLParser):
    """The headings and the table cells of an HTML page, and whether its tags balance."""

    VOID = {"meta", "br", "img", "hr", "link", "input", "path", "use", "stop", "rect", "circle", "line"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.headings: list[tuple[int, str]] = []
        self.cells: list[str] = []
        self.tags: set[str] = set()
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag in ("h2", "h3", "td", "th"):
            self._text = []
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        assert self.open and self.open[-1] == tag, (tag, self.open[-5:])
        self.open.pop()
        if self._text is not None and tag in ("h2", "h3", "td", "th"):
            text = "".join(self._text).strip()
            if tag in ("td", "th"):
                self.cells.append(text)
            else:
                self.headings.append((int(tag[1]), text))
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def test_the_html_report_is_one_page_with_the_sections_tables_and_valid_svg_charts(db, tmp_path):
    html = export(db, tmp_path / "rapport.html", "--compare", *NOMINEES).read_text(encoding="utf-8")
    page = _Page()
    page.feed(html)
    page.close()
    assert page.open == [] and "script" not in page.tags and "link" not in page.tags  # no network, no script
    assert page.headings == markdown_headings(db, "--compare", *NOMINEES)
    for figure in SEED_AREAS + SEED_TOTALS + ["542,7"]:
        assert figure in page.cells
    charts = re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL)
    assert len(charts) == 2
    ids = []
    for chart in charts:
        root = ET.fromstring(chart)  # every picture valid XML
        ids += [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))  # two charts on one page share no id


def test_the_markdown_with_images_links_svg_files_beside_it(db, tmp_path):
    target = export(db, tmp_path / "rapport.md", "--images", "--compare", *NOMINEES)
    text = target.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^]]*\]\(([^)]+)\)", text)
    assert links == ["rapport-profil.svg", "rapport-jamforelse.svg"]
    for link in links:
        ET.parse(tmp_path / unquote(link))  # there, and a picture
        assert (tmp_path / unquote(link)).stat().st_mode & 0o077 == 0  # the user's only, as every export
    assert "```" not in text  # no text charts beside the pictures


def test_images_need_a_file_and_go_with_the_markdown_report(db):
    refused = run("export", EID, "--images", "--db", db, code=1)
    assert refused.stderr == "kompass: --images writes the charts as files beside the report: add -o FILE\n"
    refused = run("export", EID, "-F", "csv", "--images", "-o", "x.csv", "--db", db, code=1)
    assert "--images goes with the Markdown report" in refused.stderr
    refused = run("export", EID, "-F", "docx", "--db", db, code=1)
    assert refused.stderr == "kompass: -F docx writes a file, not text: add -o FILE\n"


def test_the_formats_are_listed_in_the_help(db):
    shown = " ".join(run("export", "--help").stdout.split())
    for name in ("md", "csv", "json", "html", "pdf", "docx"):
        assert f"{name}:" in shown or f"{name}|" in shown or f"|{name}" in shown
    assert "kompass-tui[documents]" in shown


def test_without_the_documents_extra_the_export_says_what_to_install(db, tmp_path, monkeypatch):
    monkeypatch.setattr(formats, "find_spec", lambda name: None)
    for form in ("docx", "html"):
        refused = run("export", EID, "-F", form, "-o", tmp_path / f"r.{form}", "--db", db, code=1)
        assert refused.stderr.endswith("need the documents extra: pip install 'kompass-tui[documents]'\n")
        assert not (tmp_path / f"r.{form}").exists()


HOSTILE = (
    '<script>alert(1)</script> <img src=x onerror=alert(1)> { DDE "calc" } ]]> \x1b[2J &#x3C;b&#x3E; $\\frac{1}{0}$'
)


def test_user_text_stays_text_in_every_document(bench, db_path, tmp_path):
    ev = bench.create(HOSTILE, 2026)
    bench.text(ev.id, "summary", HOSTILE)
    bench.score(ev.id, "1.1", Decimal(30), note=HOSTILE)
    html = export(db_path, tmp_path / "h.html", eid=ev.id).read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html and "\x1b" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    document = docx.Document(str(export(db_path, tmp_path / "h.docx", eid=ev.id)))
    body = document.element.xml
    assert "fldSimple" not in body and "instrText" not in body.split("<w:ftr")[0]  # no field from user text
    assert any("<script>alert(1)</script>" in p.text for p in document.paragraphs)
    target = export(db_path, tmp_path / "h.md", "--images", eid=ev.id)
    assert "<script" not in target.read_text(encoding="utf-8")


needs_browser = pytest.mark.skipif(
    pdffile.browser() is None,
    reason="no headless browser: Debian's chromium is not installed (apt-get install chromium)",
)


@needs_browser
def test_the_pdf_has_a_title_page_and_a_page_per_area(db, tmp_path):
    data = export(db, tmp_path / "rapport.pdf").read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 1 + AREAS


@needs_browser
def test_a_screenshot_of_the_html_reports_first_page(db, tmp_path):
    html = export(db, tmp_path / "rapport.html").read_text(encoding="utf-8")
    shot = pdffile.screenshot(html, 800, 1130)
    assert shot.startswith(b"\x89PNG") and int.from_bytes(shot[16:20]) == 800 and int.from_bytes(shot[20:24]) == 1130


def test_every_format_is_named_in_both_languages_for_the_apps_dialog():
    from kompass_tui.i18n import TEXTS

    for name in formats.FORMATS:
        assert f"format_{name}" in TEXTS["en"] and f"format_{name}" in TEXTS["sv"]
        assert len(TEXTS["en"][f"format_{name}"]) <= 36 and len(TEXTS["sv"][f"format_{name}"]) <= 36  # one line
