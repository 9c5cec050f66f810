"""The report as print-ready HTML (htmlfile) and, by a headless browser, as PDF and PNG (pdffile).

The HTML is checked as a document: it parses with every element closed, every inline SVG is XML,
ids are unique across the page and every reference resolves, the sections are the Markdown's, and
no user text becomes a tag. The tests that run the browser have "browser" in their names (deselect
them with -k "not browser") and are skipped where there is none."""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from kompass_tui.core import edits
from kompass_tui.errors import InputError
from kompass_tui.exchange import htmlfile, pdffile, report

NOMINEES = ["kalix-2003", "nacka-2003", "vasteras-2003", "trollhattan-2003"]
HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(1)> </style> ]]> &#x3C;b&#x3E; \x1b[2J"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SVG_NS = "{http://www.w3.org/2000/svg}"

no_browser = pytest.mark.skipif(
    pdffile.browser() is None,
    reason="no headless browser: Debian's chromium is not installed (apt-get install chromium)",
)


def svg(color: str, label: str) -> str:
    """An SVG document in matplotlib's shape: prolog, DOCTYPE, metadata, a comment, glyphs in <defs>
    used by xlink:href, a clip path used by url(#…); the same ids in every chart, as matplotlib's."""
    return f"""<?xml version="1.0" encoding="utf-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"
  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="460.8pt" height="345.6pt" viewBox="0 0 460.8 345.6" xmlns="http://www.w3.org/2000/svg" version="1.1">
 <metadata>
  <rdf:RDF xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:cc="http://creativecommons.org/ns#" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
   <cc:Work><dc:type rdf:resource="http://purl.org/dc/dcmitype/StillImage"/></cc:Work>
  </rdf:RDF>
 </metadata>
 <defs>
  <style type="text/css">*{{stroke-linejoin: round; stroke-linecap: butt}}</style>
 </defs>
 <g id="figure_1">
  <g id="patch_1">
   <path d="M 0 345.6 L 460.8 345.6 L 460.8 0 L 0 0 z" style="fill: #ffffff"/>
  </g>
  <g id="axes_1">
   <g id="patch_2">
    <path d="M 57.6 307.584 L 200 307.584 L 200 80 L 57.6 80 z" clip-path="url(#p1)" style="fill: {color}"/>
   </g>
   <g id="text_1">
    <!-- {label} -->
    <g transform="translate(100 330) scale(0.1 -0.1)">
     <defs>
      <path id="DejaVuSans-31" d="M 794 531 L 1825 531 L 1825 4091 L 794 531 z" transform="scale(0.015625)"/>
     </defs>
     <use xlink:href="#DejaVuSans-31"/>
    </g>
   </g>
  </g>
 </g>
 <defs>
  <clipPath id="p1">
   <rect x="57.6" y="41.472" width="357.12" height="266.112"/>
  </clipPath>
 </defs>
</svg>
"""


PICTURES = {"chart-1": svg("#1f77b4", "1 Offentlighet"), "chart-2": svg("#ff7f0e", "Kalix 2003")}


def markdown_of(demo, fw, ev=None, lang="sv"):
    """The demo's Botkyrka report with the comparison, its two charts as picture links chart-1, chart-2."""
    names = iter(PICTURES)
    return report.render(
        ev or demo.get("botkyrka-2003"),
        fw,
        lang,
        demo.comparison(["botkyrka-2003", *NOMINEES]),
        figure=lambda chart: f"![{chart.caption}]({next(names)})",
    )


class Outline(HTMLParser):
    """The document's elements, checked to close in order; the h2 texts, the cells and their classes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.tags: list[str] = []
        self.problems: list[str] = []
        self.h2: list[str] = []
        self.cells: list[tuple[str, str]] = []  # (class, text) of every td
        self._text: list[str] | None = None
        self._cell_class = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in VOID:
            self.open.append(tag)
        if tag in ("h2", "td"):
            self._text = []
            self._cell_class = dict(attrs).get("class") or ""

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
            return
        self.open.pop()
        if tag in ("h2", "td") and self._text is not None:
            text = " ".join("".join(self._text).split())
            if tag == "h2":
                self.h2.append(text)
            else:
                self.cells.append((self._cell_class, text))
            self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def outline(html: str) -> Outline:
    parsed = Outline()
    parsed.feed(html)
    parsed.close()
    assert parsed.problems == [] and parsed.open == [], (parsed.problems, parsed.open)
    return parsed


def svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, re.DOTALL)


def test_the_document_is_self_contained_and_safe_by_policy(demo, fw):
    html = htmlfile.write(markdown_of(demo, fw), PICTURES, "sv", "Kommunkompassen 2003: Botkyrka 2003")
    assert html.startswith('<!doctype html>\n<html lang="sv">\n<head>\n<meta charset="utf-8">\n')
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', html)
    assert csp is not None
    assert "default-src 'none'; style-src 'unsafe-inline'; img-src data:" in csp.group(1)
    assert "<title>Kommunkompassen 2003: Botkyrka 2003</title>" in html
    assert "<script" not in html.lower() and 'http-equiv="refresh"' not in html
    assert not re.search(r"\b(?:src|href)=\"(?:https?:|//)", html)  # nothing to fetch
    assert " style=" not in html.split("</head>")[1].replace('style="fill: ', "")  # only the charts' own
    assert html.count("<style>") == 1 and "@page" in html and 'Sida " counter(page) " av " counter(pages)' in html
    parsed = outline(html)
    assert parsed.tags.count("header") == 1 and parsed.tags.count("main") == 1


def test_sections_are_the_markdowns_and_the_title_page_comes_first(demo, fw):
    text = markdown_of(demo, fw)
    html = htmlfile.write(text, PICTURES, "sv", "Botkyrka 2003")
    parsed = outline(html)
    assert parsed.h2 == [line[3:] for line in text.splitlines() if line.startswith("## ")]
    assert "Område 1 Offentlighet och demokratisk kontroll: 83 av 100" in parsed.h2
    assert html.count("<section>") == len(parsed.h2) == html.count("<h2>")
    title_page = html.split('<header class="title-page">', 1)[1].split("</header>", 1)[0]
    assert "<h2" not in title_page and "<section" not in title_page
    assert (
        '<span class="kicker">Kommunkompassen 2003</span>' in title_page and ">Botkyrka 2003</span></h1>" in title_page
    )
    assert "<dt>Utvärderare</dt>\n<dd>Lena Langlet, Inga-Lill Elwin</dd>" in title_page
    assert "<dt>Resultat</dt>\n<dd>639 av 800 poäng (37 av 37 delfrågor bedömda)</dd>" in title_page
    for section in html.split("<section>")[1:]:
        assert section.startswith("\n<h2>") and section.count("<h2>") == 1


def test_number_columns_are_class_num_and_totals_are_marked(demo, fw):
    html = htmlfile.write(markdown_of(demo, fw), PICTURES, "sv", "Botkyrka 2003")
    cells = outline(html).cells
    for figure in ("83", "76,5", "639", "9,5", "542,7"):
        assert ("num", figure) in cells, figure
    assert ("", "1 Offentlighet och demokratisk kontroll") in cells
    assert 'style="text-align' not in html  # markdown-it's inline style, made a class
    assert '<th class="num">Poäng</th>' in html and '<td class="num"><strong>639</strong></td>' in html
    assert html.count('<tr class="total">') == 2  # Tabell 1 and the comparison


def test_a_bold_row_with_nothing_else_heads_a_group_of_rows():
    text = (
        "# T: X\n\n## Jämförelse\n\n| Kriterium | A | B |\n|---|--:|--:|\n| 1 Off | 83 | 72 |\n"
        "| **Totalt** | **639** | 408 |\n| **Skillnad mot Medel** |  |  |\n| 1 Off | +14,4 | +3,4 |\n"
        "| 2004-06-30 | 1 | 1 |\n| ◐ påbörjad | 1 | 1 |\n| ◐ påbörjad (försenad) | 1 | 2 |\n"
    )
    html = htmlfile.write(text, {}, "sv", "T")
    assert (
        '<tr class="total">\n<td class="short"><strong>Totalt</strong></td>\n<td class="num"><strong>639</strong></td>'
        in html
    )
    assert '<tr class="group">\n<td colspan="3"><strong>Skillnad mot Medel</strong></td>\n</tr>' in html
    assert '<table class="figures">' in html and '<td class="short">2004-06-30</td>' in html
    assert '<td class="short">◐ påbörjad</td>' in html and "<td>◐ påbörjad (försenad)</td>" in html
    outline(html)


def test_charts_are_inline_svg_with_unique_ids_and_resolving_references(demo, fw):
    html = htmlfile.write(markdown_of(demo, fw), PICTURES, "sv", "Botkyrka 2003")
    inline = svgs(html)
    assert len(inline) == 2
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html and "<!--" not in html and "<metadata" not in html
    for number, (drawn, caption) in enumerate(zip(inline, ("Profil", "Jämförelse med andra kommuner"), strict=True), 1):
        root = ET.fromstring(drawn)  # XML as it stands: the xmlns declarations are kept
        assert root.tag == f"{SVG_NS}svg" and root.get("viewBox") == "0 0 460.8 345.6"
        assert root.get("role") == "img" and root.get("aria-label") == caption
        assert root.get("width") == "100%" and root.get("height") is None
        assert f'id="f{number}-DejaVuSans-31"' in drawn and f'xlink:href="#f{number}-DejaVuSans-31"' in drawn
        assert f'clip-path="url(#f{number}-p1)"' in drawn
    ids = re.findall(r'\sid="([^"]*)"', html)
    assert len(ids) == len(set(ids)) > 10
    refs = re.findall(r'href="#([^"]*)"', html) + re.findall(r"url\(#([^)]*)\)", html)
    assert len(refs) == 4 and set(refs) <= set(ids)
    figures = re.findall(r"<figure>\n<svg.*?</svg>\n<figcaption>(.*?)</figcaption>\n</figure>", html, re.DOTALL)
    assert figures == ["Profil", "Jämförelse med andra kommuner"]
    assert "<p><figure>" not in html and "<p>\n<figure>" not in html


def test_a_picture_not_given_is_its_caption_and_raw_html_is_text():
    text = "# T: X\n\n## A\n\n![Saknas <b>](chart-9)\n\nEtt <b>fet</b> ord<br>två <br/> &lt;i&gt;\n\n<div>block</div>\n"
    html = htmlfile.write(text, {}, "en", "T")
    assert '<figure class="missing">\n<figcaption>Saknas &lt;b&gt;</figcaption>\n</figure>' in html
    assert "Ett &lt;b&gt;fet&lt;/b&gt; ord<br>två &lt;br/&gt; &lt;i&gt;" in html
    assert '<p class="raw">&lt;div&gt;block&lt;/div&gt;</p>' in html
    assert "<b>" not in html and "<div>" not in html and "<i>" not in html
    assert 'lang="en"' in html and 'Page " counter(page) " of " counter(pages)' in html
    outline(html)


def test_hostile_user_text_is_only_ever_text(demo, fw):
    ev = demo.apply(
        "botkyrka-2003",
        edits.chain(
            edits.note("1.1", HOSTILE), edits.area_text("1", "strengths", HOSTILE), edits.text("summary", HOSTILE)
        ),
    )
    demo.add_action("botkyrka-2003", "2", HOSTILE, "Lena Langlet", description="rad ett\n" + HOSTILE)
    ev = replace(demo.get("botkyrka-2003"), municipality=HOSTILE)
    html = htmlfile.write(markdown_of(demo, fw, ev), PICTURES, "sv", ev.title)
    parsed = outline(html)
    assert "script" not in parsed.tags and "img" not in parsed.tags and "b" not in parsed.tags
    assert parsed.tags.count("style") == 1 + 2  # the page's, and each chart's own
    assert "\x1b" not in html and "<script" not in html and "<img" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt; &lt;/style&gt;") >= 5
    assert "]]&gt; &amp;#x3C;b&amp;#x3E;" in html
    head = html.split("</head>", 1)[0]
    assert head.count("</style>") == 1 and head.endswith("}\n</style>\n")  # the title did not end the style
    title = re.search(r"<title>(.*)</title>", head)
    assert title is not None and title.group(1).startswith("&lt;script&gt;alert(1)&lt;/script&gt; &lt;img")
    assert "rad ett<br>" in html  # the one raw HTML: a cell's line break


def test_rendering_a_long_report_is_quick(demo, fw):
    from time import perf_counter

    text = markdown_of(demo, fw)
    text = text + "\n\n" + "\n\n".join(text.split("\n## ", 1)[1] for _ in range(2))  # three reports' worth
    started = perf_counter()
    htmlfile.write(text, PICTURES, "sv", "Botkyrka 2003")
    assert perf_counter() - started < 1


def test_without_a_browser_pdf_says_how_to_get_one(monkeypatch):
    monkeypatch.setenv("KOMPASS_BROWSER", "/nonexistent")
    monkeypatch.setenv("PATH", "")
    assert pdffile.browser() is None
    with pytest.raises(InputError) as raised:
        pdffile.print_pdf("<!doctype html><p>x</p>")
    message = str(raised.value)
    assert "install Chromium (sudo apt install chromium) or set KOMPASS_BROWSER" in message and "\n" not in message
    assert "/nonexistent" in message and "installera Chromium" in raised.value.words_in("sv")
    monkeypatch.delenv("KOMPASS_BROWSER")
    assert pdffile.browser() is None


def test_a_browser_that_fails_names_itself_and_its_last_words(tmp_path, monkeypatch):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\necho 'starting' >&2\necho 'ERROR: cannot open display' >&2\necho >&2\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setenv("KOMPASS_BROWSER", str(fake))
    with pytest.raises(InputError, match=r"^chromium could not print the report: ERROR: cannot open display$"):
        pdffile.print_pdf("<!doctype html><p>x</p>")


def test_a_browser_that_hangs_is_stopped(tmp_path, monkeypatch):
    fake = tmp_path / "chrome"
    fake.write_text("#!/bin/sh\nexec tail -f /dev/null\n")
    fake.chmod(0o755)
    monkeypatch.setenv("KOMPASS_BROWSER", str(fake))
    with pytest.raises(InputError, match=r"^chrome did not finish printing the report in 0.3 seconds"):
        pdffile.print_pdf("<!doctype html><p>x</p>", timeout=0.3)


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))


@no_browser
def test_browser_prints_the_report_a_page_for_the_title_and_each_area(demo, fw):
    html = htmlfile.write(report.render(demo.get("botkyrka-2003"), fw, "sv", charts=False), {}, "sv", "Botkyrka 2003")
    pdf = pdffile.print_pdf(html)
    assert pdf.startswith(b"%PDF") and page_count(pdf) >= 1 + len(fw.areas)


@no_browser
def test_browser_screenshot_is_a_png_of_the_size_asked_for(demo, fw):
    html = htmlfile.write(markdown_of(demo, fw), PICTURES, "sv", "Botkyrka 2003")
    png = pdffile.screenshot(html, width=800, height=600)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png[12:16] == b"IHDR"
    assert struct.unpack(">II", png[16:24]) == (800, 600)
