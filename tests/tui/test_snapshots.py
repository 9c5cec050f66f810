"""How the main screens look (pytest-textual-snapshot; update with --snapshot-update): home,
overview, the walk-through with a refusal showing, a comparison of six, the disagreements and help,
at 80x24 in Swedish and English, and at 120x40."""

from decimal import Decimal

import pytest
from pilot import SIZE, make_app

from kompass_tui.core.framework import DEFAULT_FRAMEWORK

LARGE = (120, 40)
LANGS = ["sv", "en"]


@pytest.fixture
def six(demo):
    """The demo's five evaluations, a sixth municipality wholly scored, and an evaluation of a team
    of two whose scores differ on three sub-questions."""
    sixth = demo.create("Sundbyberg", 2003)
    for n, question in enumerate(demo.framework(DEFAULT_FRAMEWORK).questions):
        demo.score(sixth.id, question.id, (question.maximum * Decimal((50 + 7 * n) % 90) / 100).quantize(Decimal(1)))
    team = demo.create("Upplands Väsby", 2026, evaluators=["Anna Berg", "Omar Said"])
    for qid, anna, omar, note in (
        ("1.1", "30", "34.5", "Bra webb och tidning, men få e-tjänster."),
        ("1.2", "20", "22", "Rådslag två gånger om året."),
        ("2.4", "12", "18", ""),
    ):
        demo.score(team.id, qid, Decimal(anna), by="Anna Berg", note=note)
        demo.score(team.id, qid, Decimal(omar), by="Omar Said", note="Medborgardialogen fungerar väl.")
    return demo


@pytest.mark.parametrize("lang", LANGS)
def test_home(snap_compare, six, lang):
    assert snap_compare(make_app(six, lang=lang), terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_overview(snap_compare, six, lang):
    assert snap_compare(make_app(six, "botkyrka-2003", lang=lang), terminal_size=SIZE, press=["down"])


@pytest.mark.parametrize("lang", LANGS)
def test_walkthrough_with_a_refusal(snap_compare, six, lang):
    six.note("botkyrka-2003", "2.1", "Åtta mål med tydlig medborgarorientering.", ["interview", "document"])
    keys = ["down", "tab", "enter", "1", "2", ",", "2", "5", "enter"]
    assert snap_compare(make_app(six, "botkyrka-2003", lang=lang), terminal_size=SIZE, press=keys)


def test_walkthrough_swedish_without_colour(snap_compare, six, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    six.create("Nacka", 2010)
    assert snap_compare(make_app(six, "nacka-2010", lang="sv"), terminal_size=SIZE, press=["4", "1", "enter", "i"])


async def _compare_six(pilot) -> None:
    from kompass_tui.tui.screens.compare import CompareScreen

    ids = ["botkyrka-2003", "kalix-2003", "nacka-2003", "sundbyberg-2003", "trollhattan-2003", "vasteras-2003"]
    await pilot.app.push_screen(CompareScreen(ids))
    await pilot.pause()


@pytest.mark.parametrize("lang", LANGS)
def test_comparison_of_six(snap_compare, six, lang):
    assert snap_compare(make_app(six, lang=lang), terminal_size=SIZE, run_before=_compare_six)


def test_comparison_chart(snap_compare, six):
    assert snap_compare(make_app(six, lang="sv"), terminal_size=SIZE, press=["c", "g"])


@pytest.mark.parametrize("lang", LANGS)
def test_disagreements(snap_compare, six, lang):
    app = make_app(six, "upplands-vasby-2026", lang=lang, evaluator="Anna Berg")
    assert snap_compare(app, terminal_size=SIZE, press=["escape", "d", "down"])


@pytest.mark.parametrize("lang", LANGS)
def test_help_on_the_overview(snap_compare, six, lang, monkeypatch):
    monkeypatch.setattr(six, "folder", "~/kompass/db")  # (help shows it: a test's folder differs each run)
    assert snap_compare(make_app(six, "botkyrka-2003", lang=lang), terminal_size=SIZE, press=["f1"])


def test_overview_at_120x40(snap_compare, six):
    assert snap_compare(make_app(six, "botkyrka-2003", lang="sv"), terminal_size=LARGE, press=["down"])


def test_overview_profile_with_a_previous_round(snap_compare, six):
    later = six.create("Botkyrka", 2008)
    for qid, score in (("1.1", "38"), ("1.2", "36"), ("1.3", "13"), ("2.1", "10")):
        six.score(later.id, qid, Decimal(score))
    assert snap_compare(make_app(six, later.id), terminal_size=SIZE, press=["escape", "p"])


@pytest.fixture
def utc(monkeypatch):
    """Times shown in UTC (an action's log is shown in local time): the same picture on every machine."""
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_action_plan(snap_compare, six, utc):
    """Area 2 of the demo's plan, the started and overdue 2.b highlighted with its log."""
    keys = ["down", "a", "down", "down", "down", "down"]
    assert snap_compare(make_app(six, "botkyrka-2003"), terminal_size=SIZE, press=keys)


def test_action_form_swedish_without_colour_refusing_a_date(snap_compare, six, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    keys = ["down", "down", "a", "n", *"Synliggor malen", "enter", "2", "enter", *"KLK", "enter", *"2004-31-12"]
    assert snap_compare(make_app(six, "botkyrka-2003", lang="sv"), terminal_size=SIZE, press=[*keys, "ctrl+s"])
