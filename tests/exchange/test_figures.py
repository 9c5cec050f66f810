import threading
import warnings
import xml.etree.ElementTree as ET
from decimal import Decimal

import matplotlib
import pytest

from kompass_tui.core.model import AreaEntry, Evaluation
from kompass_tui.core.points import fmt
from kompass_tui.exchange import figures
from kompass_tui.exchange.charts import ChangeBars, Grouped, Profile, Series, Trend
from kompass_tui.exchange.report import change_figures, grouped_figures, profile_figures, trend_figures

HOSTILE = "$\\frac{1}{0}$ <script>alert(1)</script> \x1b[2J -- ]]>"
MUNICIPALITIES = ["botkyrka-2003", "kalix-2003", "nacka-2003", "vasteras-2003", "trollhattan-2003"]


def texts(svg: str) -> list[str]:
    """What the SVG says: matplotlib writes each line of text (drawn as paths) as a comment."""
    return [c.strip() for c in svg.split("<!--")[1:] for c in [c.split("-->")[0]]]


def check(svg: str) -> str:
    """svg, once it is known to be one well-formed SVG document with nothing raw in it."""
    assert ET.fromstring(svg).tag == "{http://www.w3.org/2000/svg}svg"
    assert "<script" not in svg and "\x1b" not in svg
    return svg


def rounds(fw, *scores):
    return [
        Evaluation(id=f"b-{n}", municipality="Botkyrka", year=year, framework=fw.id, level="areas", areas=areas)
        for n, (year, areas) in enumerate(scores)
    ]


def test_the_profile_shows_each_areas_score_in_the_language(demo, fw):
    ev = demo.get("botkyrka-2003")
    sv = figures.svg(profile_figures(ev, fw, "sv"), "sv")
    assert sv == figures.svg(profile_figures(ev, fw, "sv"), "sv")  # byte for byte
    root = ET.fromstring(check(sv))
    assert root.find("{http://www.w3.org/2000/svg}title").text == profile_figures(ev, fw, "sv").caption
    said = texts(sv)
    assert {"76,5", "89,5", "67", "93", "1 Offentlighet", "8 Samhälle"} <= set(said)
    assert said[:5] == ["0", "25", "50", "75", "100"]  # the axis, as charts.text writes it
    en = figures.svg(profile_figures(ev, fw, "en"), "en")
    check(en)
    assert "76.5" in texts(en) and "76,5" not in texts(en)
    assert "Date" not in sv and "dc:date" not in sv
    assert figures.png(profile_figures(ev, fw, "sv"), "sv").startswith(b"\x89PNG\r\n\x1a\n")


def test_a_missing_score_is_a_dash_and_an_unfinished_area_keeps_its_mark():
    chart = Profile("Profil", ("1 Offentlighet †", "2 Tillgänglighet"), (Decimal("40.5"), None), Decimal(100))
    said = texts(check(figures.svg(chart, "sv")))
    assert {"1 Offentlighet †", "40,5", "–"} <= set(said)


def test_the_comparison_has_every_municipality_and_the_reference_as_a_line(demo):
    chart = grouped_figures(demo.comparison(MUNICIPALITIES, average_of="kommunkompassen-2003"), "sv")
    svg = figures.svg(chart, "sv")
    said = texts(check(svg))
    kalix = next(s for s in chart.series if s.name == "Kalix 2003")
    assert all(fmt(v, "sv") in said for v in kalix.values) and "35,5" in said
    reference = next(s for s in chart.series if s.reference)
    assert reference.name in said and fmt(reference.values[0], "sv") in said  # legend and value
    assert {"2 Tillgänglighet och", "medborgar-/brukarorientering"} <= set(said)  # wrapped, not cut
    assert all(s.name in said for s in chart.series)
    assert figures.png(chart, "sv").startswith(b"\x89PNG")


def test_a_partial_figure_is_marked_and_a_missing_one_has_no_bar():
    chart = Grouped(
        "Jämförelse",
        ("1 Offentlighet", "2 Tillgänglighet"),
        (
            Series("Botkyrka 2026", (Decimal("50.5"), None), (True, False)),
            Series("Kalix 2026", (Decimal(70), Decimal(20)), (False, False)),
            Series("Riksgenomsnitt 2003", (Decimal("63.45"), None), (False, False), reference=True),
        ),
        Decimal(100),
    )
    svg = figures.svg(chart, "en")
    said = texts(check(svg))
    assert {"50.5 †", "70", "20", "63.45", "Riksgenomsnitt 2003"} <= set(said)
    assert svg == figures.svg(chart, "en")


def test_the_change_is_signed_and_a_missing_one_is_a_dash(fw):
    before, ev = rounds(fw, (2003, {"1": AreaEntry(Decimal(83))}), (2008, {"1": AreaEntry(Decimal("88.5"))}))
    chart = change_figures(ev, before, fw, "sv")
    said = texts(check(figures.svg(chart, "sv")))
    assert "+5,5" in said and "–" in said
    down = ChangeBars("Förändring", ("1 a", "2 b", "3 c"), (Decimal(-3), Decimal(0), Decimal("6.5")))
    svg = figures.svg(down, "en")
    assert {"−3", "±0", "+6.5"} <= set(texts(check(svg))) and svg == figures.svg(down, "en")
    assert figures.png(down, "sv").startswith(b"\x89PNG")


def test_the_trend_places_rounds_by_order_even_with_one_year_twice(fw):
    history = rounds(
        fw,
        (2003, {"1": AreaEntry(Decimal(83))}),
        (2003, {"1": AreaEntry(Decimal(83))}),
        (2008, {"1": AreaEntry(Decimal("88.5"))}),
    )
    chart = trend_figures(history, fw, "sv")
    svg = figures.svg(chart, "sv")
    said = texts(check(svg))
    assert said.count("2003") == 2 and "2008" in said and "Botkyrka" in said
    assert "88,5" in said or "88,5 †" in said
    assert svg == figures.svg(chart, "sv")
    noted = Trend(
        "Trend", (("2003", Decimal(639)), ("2008‡", Decimal("642.5"))), Decimal(800), "Botkyrka", (True, False), "‡ x"
    )
    said = texts(check(figures.svg(noted, "en")))
    assert {"639 †", "642.5", "2008‡", "‡ x"} <= set(said) and said.count("800") == 1
    assert figures.png(noted, "en").startswith(b"\x89PNG")


def test_a_figure_past_the_axis_or_no_number_at_all_is_still_drawn():
    odd = (Decimal(150), Decimal("NaN"), Decimal("1E+1000"), Decimal(-4))
    charts = [
        Profile("P", ("1 a", "2 b", "3 c", "4 d"), odd, Decimal(100)),
        Grouped("G", ("1 a", "2 b", "3 c", "4 d"), (Series("X", odd, (False,) * 4),), Decimal(0)),
        ChangeBars("C", ("1 a", "2 b", "3 c", "4 d"), odd),
        Trend("T", tuple((str(n), v) for n, v in enumerate(odd)), Decimal("Infinity"), "T", (False,) * 4),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for chart in charts:
            said = texts(check(figures.svg(chart, "sv")))
            assert "NaN" in said and ("150" in said or "+150" in said)


HOSTILE_CHARTS = [
    Profile(HOSTILE, (HOSTILE, "2 b"), (Decimal(5), None), Decimal(100)),
    Grouped(
        HOSTILE,
        (HOSTILE,),
        (Series(HOSTILE, (Decimal(5),), (True,)), Series(HOSTILE, (Decimal(7),), (False,), reference=True)),
        Decimal(100),
    ),
    ChangeBars(HOSTILE, (HOSTILE,), (Decimal(-5),)),
    Trend(HOSTILE, ((HOSTILE, Decimal(5)),), Decimal(800), HOSTILE, (False,), HOSTILE),
]


@pytest.mark.parametrize("chart", HOSTILE_CHARTS, ids=lambda c: c.kind)
def test_a_hostile_label_is_only_text(chart):
    svg = figures.svg(chart, "sv")
    check(svg)
    assert any("\\frac{1}{0}" in said for said in texts(svg))  # written as typed, not as mathtext
    assert figures.png(chart, "sv").startswith(b"\x89PNG")


def test_a_character_the_font_lacks_draws_without_a_warning():
    chart = Profile("Profil", ("1 漢字 🙂",), (Decimal(5),), Decimal(100))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figures.png(chart, "sv")
    assert not [w for w in caught if "Glyph" in str(w.message)]


def test_drawing_in_threads_gives_the_same_bytes_and_leaves_matplotlib_as_it_was():
    chart = Profile("Profil", ("1 a", "2 b"), (Decimal("76.5"), Decimal(3)), Decimal(100))
    before = dict(matplotlib.rcParams)
    alone = figures.svg(chart, "sv")
    drawn: list[str] = []
    workers = [threading.Thread(target=lambda: drawn.append(figures.svg(chart, "sv"))) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert drawn == [alone, alone]
    assert dict(matplotlib.rcParams) == before
