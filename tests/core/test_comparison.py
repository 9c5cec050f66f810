from decimal import Decimal

import pytest
from helpers import SEED_NOMINEES

from kompass_tui.core import comparison, edits
from kompass_tui.core.model import AreaEntry, Evaluation
from kompass_tui.core.points import parse_entry
from kompass_tui.errors import InputError

ORDER = ["kalix-2003", "botkyrka-2003", "nacka-2003", "vasteras-2003", "trollhattan-2003"]  # the seed's columns


def test_the_five_nominees_compare_as_in_the_seed(demo, fw):
    table = demo.comparison(ORDER)
    assert [str(t) for t in table.totals] == [SEED_NOMINEES[i] for i in ORDER]
    assert dict(zip(ORDER, table.ranks, strict=True)) == {
        "botkyrka-2003": 1,
        "trollhattan-2003": 2,
        "nacka-2003": 3,
        "vasteras-2003": 4,
        "kalix-2003": 5,
    }
    assert table.best_total == {1} and str(table.average_total) == "542.7"
    seed_rows = {  # the seed's comparison table, Kalix, Botkyrka, Nacka, Västerås, Trollhättan
        "1": "72 83 66 54 68",
        "2": "35.5 76.5 71.5 57 70",
        "3": "55 89.5 69 73.5 93.5",
        "4": "75 81.5 75.5 83.5 71.5",
        "5": "28 76 65 53 82",
        "6": "38.5 72.5 59 74.5 77",
        "7": "20 67 53 48 71",
        "8": "84 93 66 79 86",
    }
    for row in table.rows:
        assert " ".join(str(v) for v in row.values) == seed_rows[row.area.id]
    best = {row.area.id: {ORDER[i] for i in row.best} for row in table.rows}
    assert best["1"] == {"botkyrka-2003"} and best["3"] == {"trollhattan-2003"} and best["4"] == {"vasteras-2003"}
    assert [str(row.average) for row in table.rows] == ["68.6", "62.1", "76.1", "77.4", "60.8", "64.3", "51.8", "81.6"]
    assert not table.has_changes


def test_average_rounds_half_up_to_one_decimal_and_skips_missing():
    assert comparison.mean([Decimal("0.5"), Decimal("0.5"), Decimal(1)]) == Decimal("0.7")  # 0.666…
    assert comparison.mean([Decimal("0.25"), Decimal(0)]) == Decimal("0.1")  # 0.125 -> 0.1
    assert comparison.mean([Decimal("0.5"), None, Decimal("0.6")]) == Decimal("0.6")  # 0.55 -> 0.6
    assert comparison.mean([None]) is None
    assert str(comparison.mean([Decimal(100), Decimal(100)])) == "100"


def test_ties_share_the_best_mark_and_the_rank(fw):
    evs = [
        Evaluation(
            id=f"m{i}-2003",
            municipality=f"M{i}",
            year=2003,
            framework=fw.id,
            level="areas",
            areas={"1": AreaEntry(Decimal(s))},
        )
        for i, s in enumerate(["50", "70", "70"])
    ]
    table = comparison.compare(evs, fw, include_partial=True)  # (only area 1 is scored)
    assert table.rows[0].best == {1, 2} and table.ranks == (3, 1, 1)
    assert table.rows[1].best == frozenset()  # nobody scored area 2: no best


def test_different_frameworks_are_not_mixed(fw):
    a = Evaluation(id="a-2003", municipality="A", year=2003, framework=fw.id)
    b = Evaluation(id="b-2020", municipality="B", year=2020, framework="kommunkompassen-2020")
    with pytest.raises(InputError, match="only evaluations of one framework can be compared"):
        comparison.compare([a, b], fw)


def reevaluate(demo, year: int, changes: dict[str, str]):
    """A second Botkyrka round: the seed's scores with some changed."""
    ev = demo.create("Botkyrka", year)
    seed = demo.get("botkyrka-2003")

    scores = {
        qid: parse_entry(changes[qid]) if qid in changes else answer.score for qid, answer in seed.questions.items()
    }
    return demo.apply(ev.id, edits.chain(*(edits.score(qid, value) for qid, value in scores.items())))


def test_a_reevaluation_shows_the_change_per_area_and_in_total(demo, fw):
    later = reevaluate(demo, 2008, {"1.3": "18", "2.5": "16,5", "6.5": "5", "7.4": "3"})
    before = comparison.previous(later, demo.related(later))
    assert before.id == "botkyrka-2003"
    delta = comparison.change(later, before, fw)
    assert {k: str(v) for k, v in delta.areas.items()} == {
        "1": "5",
        "2": "4.5",
        "3": "0",
        "4": "0",
        "5": "0",
        "6": "5",
        "7": "-4",
        "8": "0",
    }
    assert delta.total == Decimal("10.5")
    table = demo.comparison([later.id, "trollhattan-2003"])
    assert table.changes[0].total == Decimal("10.5") and table.changes[1] is None
    assert [e.year for e in comparison.history(before, demo.related(before))] == [2003, 2008]
    assert comparison.signed(Decimal("-4"), "sv") == "−4" and comparison.signed(Decimal("4.5"), "sv") == "+4,5"
    assert comparison.signed(Decimal(0), "en") == "±0"


def test_previous_ignores_other_municipalities_frameworks_and_later_rounds(fw):
    def ev(eid, name, year, framework=fw.id):
        return Evaluation(id=eid, municipality=name, year=year, framework=framework)

    now = ev("botkyrka-2010", "Botkyrka", 2010)
    pool = [
        ev("botkyrka-2003", "botkyrka", 2003),
        ev("botkyrka-2007", "BOTKYRKA", 2007),
        ev("botkyrka-2014", "Botkyrka", 2014),
        ev("nacka-2008", "Nacka", 2008),
        ev("botkyrka-2009", "Botkyrka", 2009, "other"),
    ]
    assert comparison.previous(now, pool).id == "botkyrka-2007"
    assert comparison.previous(pool[0], pool) is None


def test_what_home_compares_the_marked_else_the_highlighted_ones_framework():
    listed = {"a-2003": "kk-2003", "b-2003": "kk-2010", "c-2003": "kk-2003"}
    assert comparison.chosen(listed, {"c-2003", "b-2003"}, "a-2003") == ["b-2003", "c-2003"]  # in list order
    assert comparison.chosen(listed, set(), "c-2003") == ["a-2003", "c-2003"]
    assert comparison.chosen(listed, set(), None) == []


def test_what_is_not_wholly_scored_is_shown_but_not_ranked_averaged_or_compared(demo, fw):
    """Botkyrka 2008 with area 1 wholly scored and 2.1 only: area 1 counts; area 2 and the total
    are shown, marked, and left out of the best, the average, the rank and the change."""
    later = demo.create("Botkyrka", 2008)
    for qid, score in (("1.1", "38"), ("1.2", "36"), ("1.3", "13"), ("2.1", "10")):
        demo.score(later.id, qid, Decimal(score), by="Anna")
    ids = ["botkyrka-2003", "kalix-2003", later.id]
    evs = [demo.get(i) for i in ids]
    table = comparison.compare(evs, fw, {later.id: demo.get("botkyrka-2003")})
    assert table.unfinished[2] == frozenset(a.id for a in fw.areas) - {"1"} and not table.partial(0)
    area1, area2 = table.rows[0], table.rows[1]
    assert area1.values[2] == 87 and area1.best == {2} and area1.average == Decimal("80.7")  # (83+72+87)/3
    assert area2.values[2] == 10 and area2.best == {0} and area2.average == Decimal("56")  # 76.5 and 35.5 only
    assert table.ranks == (1, 2, 0) and table.average_total == Decimal("523.5") and table.best_total == {0}
    change = table.changes[2]
    assert change.areas["1"] == 4 and change.areas["2"] is None and change.total is None
    from kompass_tui.exchange import report

    chart = report.grouped_chart(table, "sv", 72)
    assert "Botkyrka 2008 † " in chart.split("2 Tillgänglighet")[1] and "Botkyrka 2008 †" not in chart.split("2 ")[0]
    counted = comparison.compare(evs, fw, {later.id: demo.get("botkyrka-2003")}, include_partial=True)
    assert counted.ranks == (1, 2, 3) and counted.changes[2].total == 97 - 639
