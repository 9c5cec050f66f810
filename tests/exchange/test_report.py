import re

from hypothesis import given
from hypothesis import strategies as st

from kompass_tui.core import edits
from kompass_tui.core.model import Evaluation
from kompass_tui.exchange import markdown, report

NOMINEES = ["kalix-2003", "nacka-2003", "vasteras-2003", "trollhattan-2003"]


def rows_of(text: str) -> dict[str, list[str]]:
    """Table rows keyed by their first cell, cells stripped of bold."""
    out = {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            cells = [c.strip().strip("*") for c in line.strip("|").split(" | ")]
            out[cells[0]] = cells[1:]
    return out


def test_swedish_report_matches_the_seed(demo, fw):
    ev = demo.get("botkyrka-2003")
    text = report.render(ev, fw, "sv", demo.comparison(["botkyrka-2003", *NOMINEES]))
    rows = rows_of(text)
    assert text.startswith("# Kommunkompassen 2003: Botkyrka 2003\n")
    assert "Lena Langlet, Inga-Lill Elwin" in text and "639 av 800 poäng (37 av 37 delfrågor bedömda)" in text
    assert "## Tabell 1 Botkyrka 2003 i förhållande till Kommunkompassen 2003" in text
    table1 = [rows[f"{a.id} {a.name('sv')}"][0] for a in fw.areas]
    assert table1 == ["83", "76,5", "89,5", "81,5", "76", "72,5", "67", "93"]
    assert rows["2.1 Har kommunen en brukarorienterad förvaltningsfilosofi?"] == ["9,5", "10"]
    assert rows["6.5 Genomförs chefs-/kompetensutveckling i samverkan mellan kommunen och privata sektorn?"] == [
        "0",
        "10",
    ]
    assert "## Område 3 Tydlighet i samspelet mellan politiker och tjänstemän: 89,5 av 100" in text
    assert "**Styrkor**" in text and "**Utvecklingsområden**" in text and "## Slutord och utmaningar" in text
    assert rows["Kriterium"] == [f"{m} 2003" for m in ("Botkyrka", "Kalix", "Nacka", "Västerås", "Trollhättan")] + [
        "Medel"
    ]
    assert rows["Totalt"][-6:] == ["639", "408", "525", "522,5", "619", "542,7"]
    assert rows["Placering"] == ["1", "5", "3", "4", "2", ""]
    assert rows["2 Tillgänglighet"] == ["76,5", "35,5", "71,5", "57", "70", "62,1"]
    assert "| 3 Samspel | 89,5 | 55 | 69 | 73,5 | **93,5** | 76,1 |" in text


def test_english_report_uses_a_point_and_english_texts(demo, fw):
    text = report.render(demo.get("botkyrka-2003"), fw, "en")
    assert "| 2 Accessibility and citizen/user orientation | 76.5 | 100 |" in text
    assert "## Area 7 Development of services: 67 of 100" in text and "76,5" not in text


def test_area_level_report_has_the_area_table_only(demo, fw):
    text = report.render(demo.get("kalix-2003"), fw, "sv")
    assert "408 av 800 poäng (endast områdespoäng)" in text and "Delfråga" not in text


def test_same_municipality_twice_gets_the_year_in_the_column(fw):
    from kompass_tui.core import comparison

    a = Evaluation(id="b-2003", municipality="Botkyrka", year=2003, framework=fw.id)
    b = Evaluation(id="b-2008", municipality="Botkyrka", year=2008, framework=fw.id)
    text = report.comparison_table(comparison.compare([a, b], fw, {"b-2008": a}, include_partial=True), "sv")
    assert "| Kriterium | Botkyrka 2003 | Botkyrka 2008 | Medel |" in text
    assert "förändringen sedan föregående utvärdering (Botkyrka 2008 sedan 2003)." in text


def test_every_column_of_a_comparison_carries_its_year(fw):
    from kompass_tui.core import comparison

    a = Evaluation(id="kalix-2003", municipality="Kalix", year=2003, framework=fw.id)
    b = Evaluation(id="upplands-vasby-2026", municipality="Upplands Väsby", year=2026, framework=fw.id)
    text = report.comparison_table(comparison.compare([b, a], fw), "sv")
    assert "| Kriterium | Upplands Väsby 2026 | Kalix 2003 | Medel |" in text


def test_an_unscored_area_reads_as_not_scored_and_texts_keep_their_lines(fw):
    ev = Evaluation(
        id="sollentuna-2026",
        municipality="Sollentuna",
        year=2026,
        framework=fw.id,
        challenges="Första raden i slutordet.\nAndra raden.\n\n- en punkt\nEfter listan.",
    )
    text = report.render(ev, fw, "sv", charts=False)
    assert "## Område 3 Tydlighet i samspelet mellan politiker och tjänstemän: ej bedömt (av 100)" in text
    assert "Första raden i slutordet.\\\nAndra raden.\n\n- en punkt\n\nEfter listan." in text
    assert "## Area 3 Clarity in the interplay between politicians and officials: not scored (of 100)" in report.render(
        ev, fw, "en", charts=False
    )


HOSTILE = "a | b `code` <script>alert(1)</script> &amp; **bold** [x](http://e)\n# heading\n```\n    indented"


def test_hostile_user_text_cannot_break_tables_or_inject_markup(demo, fw):
    ev = demo.apply(
        "botkyrka-2003",
        edits.chain(
            edits.note("1.1", HOSTILE), edits.area_text("1", "strengths", HOSTILE), edits.text("summary", HOSTILE)
        ),
    )
    text = report.render(ev, fw, "sv", charts=False)  # our own fences are checked in test_charts
    assert "<script>" not in text and "&amp;amp;" in text
    assert not re.search(r"^#+ heading", text, re.M) and not re.search(r"^```", text, re.M)
    assert not re.search(r"^ {4}", text, re.M)
    for line in text.splitlines():
        if line.startswith("| 1.1 "):
            assert line.count(" | ") == 2


def _unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


@given(st.text())
def test_no_user_string_adds_a_column_or_raw_html(text):
    cell = markdown.cell(text)
    assert "\n" not in cell and _unescaped_pipes(cell) == 0
    assert "<" not in cell.replace("<br>", "")
    for line in markdown.blocks(text).splitlines():
        assert not line.startswith(("#", "```", "    ", "\t", ">", "<", "|"))
        assert "<" not in line


@given(st.text())
def test_a_fence_cannot_be_closed_from_inside(text):
    fenced = markdown.fence(text).splitlines()
    opener = fenced[0].removesuffix("text")
    assert all(not line.startswith(opener) for line in fenced[1:-1])
