import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kompass_tui.core import edits, model
from kompass_tui.errors import InputError, NotFound, ScoreError
from kompass_tui.core.model import Answer, AreaEntry, Evaluation


@pytest.mark.parametrize("name, year, expected", [
    ("Botkyrka", 2003, "botkyrka-2003"), ("Västerås", 2003, "vasteras-2003"),
    ("Trollhättan", 2003, "trollhattan-2003"), ("Upplands Väsby", 2010, "upplands-vasby-2010"),
    ("Malung-Sälen", 2020, "malung-salen-2020"), ("Åre", 2020, "are-2020"),
])
def test_ids_are_short_ascii_and_typable(name, year, expected):
    assert model.base_id(name, year) == expected


def test_ids_get_a_suffix_on_collision():
    assert model.unique_id("Botkyrka", 2003, set()) == "botkyrka-2003"
    assert model.unique_id("Botkyrka", 2003, {"botkyrka-2003"}) == "botkyrka-2003-2"
    assert model.unique_id("Botkyrka", 2003, {"botkyrka-2003", "botkyrka-2003-2"}) == "botkyrka-2003-3"


def make(fw, **kw):
    return Evaluation(id="x-2003", municipality="X", year=2003, framework=fw.id, **kw)


def test_set_score_accepts_comma_and_point_and_keeps_the_note(fw):
    ev = edits.set_note(make(fw), fw, "2.1", "Intervju med kommundirektören", ["interview"])
    ev = edits.set_score(ev, fw, "2.1", "9,5")
    assert ev.answer("2.1") == Answer(Decimal("9.5"), "Intervju med kommundirektören", ("interview",))
    assert edits.set_score(ev, fw, "2.1", "9.5") == ev


@pytest.mark.parametrize("text, reason", [
    ("-1", "give 0 to 10 in steps of 0.5"), ("101", "give 0 to 10"), ("10.5", "give 0 to 10"),
    ("9.25", "steps of 0.5"), ("abc", "not a number"), ("NaN", "not a number"), ("inf", "not a number"), ("", "not a number"),
])
def test_set_score_refuses_with_the_allowed_range(fw, text, reason):
    with pytest.raises(ScoreError) as caught:
        edits.set_score(make(fw), fw, "2.1", text)
    assert "question 2.1" in str(caught.value) and reason in str(caught.value)


def test_unknown_question_and_area_id(fw):
    with pytest.raises(NotFound, match="no sub-question '9.1'"):
        edits.set_score(make(fw), fw, "9.1", "1")
    with pytest.raises(NotFound, match="is an area"):
        edits.set_score(make(fw), fw, "2", "1")


def test_area_level_evaluations_take_area_scores_only(fw):
    ev = make(fw, level=model.AREAS)
    ev = edits.set_score(ev, fw, "2", "35,5")
    assert ev.area("2").score == Decimal("35.5")
    with pytest.raises(edits.NotWalkable, match="area scores only"):
        edits.set_score(ev, fw, "2.1", "5")
    with pytest.raises(edits.NotWalkable):
        edits.set_note(ev, fw, "2.1", "x")
    with pytest.raises(ScoreError, match="give 0 to 100"):
        edits.set_score(ev, fw, "2", "100,5")


def test_sources_are_kept_in_canonical_order_and_toggle(fw):
    ev = edits.set_note(make(fw), fw, "1.1", sources=["website", "interview"])
    assert ev.answer("1.1").sources == ("interview", "website")
    ev = edits.set_note(ev, fw, "1.1", sources=["website"], by="Anna", at="2026-11-27T10:00:00+00:00")
    assert ev.answer("1.1").sources == ("interview", "website") and ev.answer("1.1").entry("Anna").sources == ("website",)
    with pytest.raises(InputError, match="unknown evidence source 'rumour'"):
        edits.set_note(ev, fw, "1.1", sources=["rumour"])


def test_area_texts_summary_and_challenges(fw):
    ev = edits.set_area_text(make(fw), fw, "3", "strengths", "  Tydlig rollfördelning \n")
    ev = edits.set_area_text(ev, fw, "3", "improvements", "Chefsforum")
    ev = edits.set_text(ev, "challenges", "- Ett\n- Två")
    assert ev.area("3") == AreaEntry(None, "Tydlig rollfördelning", "Chefsforum")
    assert ev.challenges == "- Ett\n- Två"
    with pytest.raises(NotFound):
        edits.set_area_text(ev, fw, "9", "strengths", "x")


def test_clearing_everything_leaves_no_empty_entries(fw):
    ev = edits.set_score(make(fw), fw, "1.1", "3")
    ev = edits.set_score(ev, fw, "1.1", None)
    assert ev.questions == {}


def test_check_refuses_evaluations_that_do_not_fit_the_framework(fw):
    with pytest.raises(InputError, match="unknown sub-question '9.9'"):
        edits.check(make(fw, questions={"9.9": Answer(Decimal(1))}), fw, "file.json")
    with pytest.raises(InputError, match="question 2.1"):
        edits.check(make(fw, questions={"2.1": Answer(Decimal(11))}), fw, "file.json")
    with pytest.raises(InputError, match="sub-question evaluations sum theirs"):
        edits.check(make(fw, areas={"1": AreaEntry(Decimal(1))}), fw, "file.json")


text = st.text(max_size=40)
scores = st.none() | st.integers(0, 20).map(lambda n: Decimal(n) / 2)
entries = st.dictionaries(st.sampled_from(["Lena", "Inga-Lill", "Omar Said"]),
                          st.builds(model.Entry, scores, text, st.sampled_from([(), ("website",)]), text), max_size=3)


@given(
    st.text(min_size=1, max_size=20).filter(str.strip), st.integers(1900, 2200),
    st.dictionaries(st.sampled_from(["1.1", "2.4", "8.4"]), st.builds(Answer, scores, text, st.sampled_from([(), ("interview",), ("document", "website")]),
                                                                      entries, text, text)),
    st.dictionaries(st.sampled_from(["1", "8"]), st.builds(AreaEntry, st.none(), text, text)), text,
)
def test_json_document_round_trips_exactly(name, year, questions, areas, summary):
    ev = Evaluation(id="x-1", municipality=name.strip(), year=year, framework="kommunkompassen-2003",
                    questions=questions, areas=areas, summary=summary, evaluators=("A", "B"))
    again = model.from_document(json.loads(json.dumps(model.to_document(ev))), "x.json")
    assert again == ev


@pytest.mark.parametrize("doc, message", [
    ({"format": "other"}, "not a Kompass evaluation file"),
    ({"format": "kompass-evaluation", "schema": 99, "evaluation": {}}, "newer Kompass"),
    ({"format": "kompass-evaluation", "schema": 1, "evaluation": []}, "expected an object"),
    ({"format": "kompass-evaluation", "schema": 1, "evaluation": {"id": "x", "municipality": "X", "year": "2003", "framework": "f"}}, "field 'year'"),
    ({"format": "kompass-evaluation", "schema": 1, "evaluation": {"id": "x", "municipality": "X", "year": 2003, "framework": "f",
                                                               "questions": {"1.1": {"score": "abc"}}}}, "question 1.1: field 'score'"),
    ({"format": "kompass-evaluation", "schema": 1, "evaluation": {"id": "x", "municipality": "X", "year": 2003, "framework": "f",
                                                               "questions": {"1.1": {"sources": ["rumour"]}}}}, "unknown evidence source"),
])
def test_bad_documents_name_the_field(doc, message):
    with pytest.raises(InputError, match=message):
        model.from_document(doc, "x.json")
