from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kompass_tui.exchange import charts
from kompass_tui.exchange.report import grouped_chart, profile_chart, trend_chart


def test_bars_are_exact_to_an_eighth_of_a_cell():
    assert charts.bar(Decimal(100), Decimal(100), 10) == "█" * 10
    assert charts.bar(Decimal(50), Decimal(100), 10) == "█" * 5 + " " * 5
    assert charts.bar(Decimal("76.5"), Decimal(100), 10) == "███████▋  "  # 61.2 eighths -> 61 = 7 full + 5/8
    assert charts.bar(None, Decimal(100), 4) == "    " and charts.bar(Decimal(0), Decimal(100), 4) == "    "


@given(st.integers(0, 200).map(lambda n: Decimal(n) / 2), st.integers(4, 80))
def test_a_bar_never_overflows_its_cells(value, cells):
    text = charts.bar(value, Decimal(100), cells)
    assert len(text) == cells and text.rstrip(" ").count(" ") == 0


def test_profile_chart_labels_every_area_with_its_value(demo, fw):
    text = profile_chart(demo.get("botkyrka-2003"), fw, "sv", 80)
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines) and "\x1b" not in text
    labels = [line.split("┤")[0].strip() for line in lines if "┤" in line]
    assert labels == [
        "1 Offentlighet 83",
        "2 Tillgänglighet 76,5",
        "3 Samspel 89,5",
        "4 Ledning 81,5",
        "5 Kontroll 76",
        "6 Personal 72,5",
        "7 Utveckling 67",
        "8 Samhälle 93",
    ]
    bars = {
        label: line.split("┤")[1].count("█") for line in lines if "┤" in line for label in [line.split("┤")[0].strip()]
    }
    assert bars["8 Samhälle 93"] > bars["3 Samspel 89,5"] > bars["7 Utveckling 67"]
    assert lines[-1].split() == ["0", "25", "50", "75", "100"]


def test_grouped_chart_has_every_municipality_and_value_at_80_columns(demo):
    table = demo.comparison(["botkyrka-2003", "kalix-2003", "nacka-2003", "vasteras-2003", "trollhattan-2003"])
    text = grouped_chart(table, "sv", 79)
    lines = text.splitlines()
    assert all(len(line) <= 79 for line in lines) and "\x1b" not in text
    assert "2 Tillgänglighet och medborgar-/brukarorientering" in lines
    kalix = [line for line in lines if line.strip().startswith("Kalix")]
    assert [line.split()[-1] for line in kalix] == ["72", "35,5", "55", "75", "28", "38,5", "20", "84"]
    assert lines[0].split() == ["0", "25", "50", "75", "100"]


def test_trend_chart_labels_each_round_with_its_total(fw):
    from kompass_tui.core.model import AreaEntry, Evaluation

    rounds = [
        Evaluation(
            id=f"b-{y}",
            municipality="Botkyrka",
            year=y,
            framework=fw.id,
            level="areas",
            areas={"1": AreaEntry(Decimal(v))},
        )
        for y, v in ((2003, "83"), (2008, "88.5"))
    ]
    text = trend_chart(rounds, fw, "sv", 72)
    assert "2003: 83" in text and "2008: 88,5" in text and "●" in text and "Botkyrka" in text
