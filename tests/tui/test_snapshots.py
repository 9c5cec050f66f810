"""How the main screens look at 80x24 (pytest-textual-snapshot; update with --snapshot-update)."""

from decimal import Decimal

from pilot import SIZE, make_app


def test_home(snap_compare, demo):
    assert snap_compare(make_app(demo), terminal_size=SIZE)


def test_overview(snap_compare, demo):
    assert snap_compare(make_app(demo, "botkyrka-2003"), terminal_size=SIZE, press=["down"])


def test_walkthrough(snap_compare, demo):
    demo.note("botkyrka-2003", "2.1", "Åtta mål med tydlig medborgarorientering.", ["interview", "document"])
    assert snap_compare(make_app(demo, "botkyrka-2003"), terminal_size=SIZE, press=["down", "tab", "enter"])


def test_walkthrough_swedish_without_colour(snap_compare, demo, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    demo.create("Nacka", 2010)
    assert snap_compare(make_app(demo, "nacka-2010", lang="sv"), terminal_size=SIZE, press=["4", "1", "enter", "i"])


def test_comparison(snap_compare, demo):
    assert snap_compare(make_app(demo, lang="sv"), terminal_size=SIZE, press=["c"])


def test_comparison_chart(snap_compare, demo):
    assert snap_compare(make_app(demo, lang="sv"), terminal_size=SIZE, press=["c", "g"])


def test_overview_profile_with_a_previous_round(snap_compare, demo):
    later = demo.create("Botkyrka", 2008)
    for qid, score in (("1.1", "38"), ("1.2", "36"), ("1.3", "13"), ("2.1", "10")):
        demo.score(later.id, qid, Decimal(score))
    assert snap_compare(make_app(demo, later.id), terminal_size=SIZE, press=["escape", "p"])
