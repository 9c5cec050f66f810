from decimal import Decimal

from helpers import SEED_AREAS, SEED_NOMINEES, SEED_QUESTIONS
from hypothesis import given
from hypothesis import strategies as st

from kompass_tui import paths
from kompass_tui.core import scoring
from kompass_tui.core.model import Answer, Evaluation
from kompass_tui.core.points import fmt, parse_number
from kompass_tui.store import criteria

FW = criteria.load(paths.bundled_criteria_dir() / "kommunkompassen-2003.toml", "bundled")  # not the user's copy


@given(st.lists(st.integers(min_value=0, max_value=200), min_size=len(FW.questions), max_size=len(FW.questions)))
def test_any_half_point_scores_sum_exactly_into_areas_and_the_total(halves):
    """Half points never drift: every area and the total are exactly the sum of their halves, and
    print and read back unchanged in both languages."""
    scores = {q.id: min(Decimal(n) / 2, q.maximum) for q, n in zip(FW.questions, halves, strict=True)}
    ev = Evaluation(
        id="x-2003",
        municipality="X",
        year=2003,
        framework=FW.id,
        questions={qid: Answer(s) for qid, s in scores.items()},
    )
    for area in FW.areas:
        assert scoring.area_score(ev, area) * 2 == sum(int(scores[q.id] * 2) for q in area.questions)
    total = scoring.total(ev, FW)
    assert total * 2 == sum(int(s * 2) for s in scores.values())
    assert parse_number(fmt(total, "sv")) == total == parse_number(fmt(total, "en"))


def test_botkyrka_demo_matches_the_seed_to_the_half_point(demo, fw):
    ev = demo.get("botkyrka-2003")
    assert {qid: str(ev.answer(qid).score) for qid in SEED_QUESTIONS} == SEED_QUESTIONS
    assert {k: str(v) for k, v in scoring.area_scores(ev, fw).items()} == SEED_AREAS
    assert scoring.total(ev, fw) == Decimal(639)
    assert str(scoring.progress(ev, fw)) == "37/37"


def test_nominees_totals_and_ranks_match_the_seed(demo, fw):
    totals = {eid: scoring.total(demo.get(eid), fw) for eid in SEED_NOMINEES}
    assert {k: str(v) for k, v in totals.items()} == SEED_NOMINEES
    assert scoring.ranks(totals) == {
        "botkyrka-2003": 1,
        "trollhattan-2003": 2,
        "nacka-2003": 3,
        "vasteras-2003": 4,
        "kalix-2003": 5,
    }


def test_ranks_share_places_on_ties():
    assert scoring.ranks({"a": Decimal(5), "b": Decimal(7), "c": Decimal(5), "d": Decimal(1)}) == {
        "b": 1,
        "a": 2,
        "c": 2,
        "d": 4,
    }


def test_partial_evaluation_progress_and_subtotals(fw):
    ev = Evaluation(
        id="x-2003",
        municipality="X",
        year=2003,
        framework=fw.id,
        questions={"1.1": Answer(Decimal("9.5")), "2.1": Answer(Decimal("0.5")), "2.2": Answer(note="only a note")},
    )
    assert scoring.area_score(ev, fw.area("1")) == Decimal("9.5")
    assert scoring.area_score(ev, fw.area("3")) is None
    assert str(scoring.area_progress(ev, fw.area("2"))) == "1/6"
    assert str(scoring.progress(ev, fw)) == "2/37"
    assert scoring.total(ev, fw) == Decimal(10)


def test_next_unscored_resumes_after_the_current_and_wraps(fw):
    ev = Evaluation(
        id="x-2003",
        municipality="X",
        year=2003,
        framework=fw.id,
        questions={"1.1": Answer(Decimal(1)), "1.3": Answer(Decimal(1))},
    )
    assert scoring.next_unscored(ev, fw) == "1.2"
    assert scoring.next_unscored(ev, fw, after="1.2") == "2.1"
    assert scoring.next_unscored(ev, fw, after="8.4") == "1.2"
    full = Evaluation(
        id="y-2003",
        municipality="Y",
        year=2003,
        framework=fw.id,
        questions={q.id: Answer(Decimal(0)) for q in fw.questions},
    )
    assert scoring.next_unscored(full, fw) is None
