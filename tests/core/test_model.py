import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kompass_tui.core import edits, model
from kompass_tui.core.model import Answer, AreaEntry, Evaluation
from kompass_tui.core.points import parse_entry
from kompass_tui.errors import InputError, NotFound, ScoreError


@pytest.mark.parametrize(
    "name, year, expected",
    [
        ("Botkyrka", 2003, "botkyrka-2003"),
        ("Västerås", 2003, "vasteras-2003"),
        ("Trollhättan", 2003, "trollhattan-2003"),
        ("Upplands Väsby", 2010, "upplands-vasby-2010"),
        ("Malung-Sälen", 2020, "malung-salen-2020"),
        ("Åre", 2020, "are-2020"),
    ],
)
def test_ids_are_short_ascii_and_typable(name, year, expected):
    assert model.base_id(name, year) == expected


def test_ids_get_a_suffix_on_collision():
    assert model.unique_id("Botkyrka", 2003, set()) == "botkyrka-2003"
    assert model.unique_id("Botkyrka", 2003, {"botkyrka-2003"}) == "botkyrka-2003-2"
    assert model.unique_id("Botkyrka", 2003, {"botkyrka-2003", "botkyrka-2003-2"}) == "botkyrka-2003-3"


def make(fw, **kw):
    return Evaluation(id="x-2003", municipality="X", year=2003, framework=fw.id, **kw)


AT = "2026-11-27T10:00:00+00:00"


def test_a_score_typed_with_comma_or_point_is_one_number_and_keeps_the_note(fw):
    ev = edits.note("2.1", "Intervju med kommundirektören", ["interview"])(make(fw), fw, AT)
    ev = edits.score("2.1", parse_entry("9,5"))(ev, fw, AT)
    assert ev.answer("2.1") == Answer(Decimal("9.5"), "Intervju med kommundirektören", ("interview",))
    assert edits.score("2.1", parse_entry("9.5"))(ev, fw, AT) == ev


@pytest.mark.parametrize(
    "text, reason",
    [
        ("-1", "question 2.1: -1 is not allowed; give 0 to 10 in steps of 0.5"),
        ("101", "give 0 to 10"),
        ("10.5", "give 0 to 10"),
        ("9.25", "steps of 0.5"),
        ("abc", "'abc' is not a number"),
        ("NaN", "not a number"),
        ("inf", "not a number"),
        ("", "'' is not a number; give points such as 9,5 or 9.5, or none to take the score back"),
    ],
)
def test_a_score_is_refused_with_what_is_allowed(fw, text, reason):
    with pytest.raises(ScoreError) as caught:
        edits.score("2.1", parse_entry(text))(make(fw), fw, AT)  # parsed where typed, checked by the edit
    assert reason in str(caught.value)


@pytest.mark.parametrize("text", ["-", "none", " None ", "ingen"])
def test_words_that_take_a_score_back(text):
    assert parse_entry(text) is None


def test_unknown_question_and_area_id(fw):
    with pytest.raises(NotFound, match=r"no sub-question '9\.1'"):
        edits.score("9.1", Decimal(1))(make(fw), fw, AT)
    with pytest.raises(NotFound, match="is an area"):
        edits.score("2", Decimal(1))(make(fw), fw, AT)


def test_area_level_evaluations_take_area_scores_only(fw):
    ev = make(fw, level=model.AREAS)
    ev = edits.score("2", Decimal("35.5"))(ev, fw, AT)
    assert ev.area("2").score == Decimal("35.5")
    with pytest.raises(edits.NotWalkable, match="area scores only"):
        edits.score("2.1", Decimal(5))(ev, fw, AT)
    with pytest.raises(edits.NotWalkable):
        edits.note("2.1", "x")(ev, fw, AT)
    with pytest.raises(ScoreError, match="give 0 to 100"):
        edits.score("2", Decimal("100.5"))(ev, fw, AT)


def test_sources_are_kept_in_canonical_order_and_toggle(fw):
    ev = edits.note("1.1", sources=["website", "interview"])(make(fw), fw, AT)
    assert ev.answer("1.1").sources == ("interview", "website")
    ev = edits.note("1.1", sources=["website"], by="Anna")(ev, fw, AT)
    assert ev.answer("1.1").sources == ("interview", "website") and ev.answer("1.1").entry("Anna").sources == (
        "website",
    )
    assert ev.answer("1.1").entry("Anna").updated == AT  # the time of whoever applied it
    with pytest.raises(InputError, match="unknown evidence source 'rumour'"):
        edits.note("1.1", sources=["rumour"])


def test_area_texts_summary_and_challenges(fw):
    ev = edits.chain(
        edits.area_text("3", "strengths", "  Tydlig rollfördelning \n"),
        edits.area_text("3", "improvements", "Chefsforum"),
        edits.text("challenges", "- Ett\n- Två"),
    )(make(fw), fw, AT)
    assert ev.area("3") == AreaEntry(None, "Tydlig rollfördelning", "Chefsforum")
    assert ev.challenges == "- Ett\n- Två"
    with pytest.raises(NotFound):
        edits.area_text("9", "strengths", "x")(ev, fw, AT)
    with pytest.raises(InputError, match="use strengths or improvements"):
        edits.area_text("3", "weaknesses", "x")


def test_clearing_everything_leaves_no_empty_entries(fw):
    ev = edits.score("1.1", Decimal(3))(make(fw), fw, AT)
    ev = edits.score("1.1", None)(ev, fw, AT)
    assert ev.questions == {}


def test_check_refuses_evaluations_that_do_not_fit_the_framework(fw):
    with pytest.raises(InputError, match=r"unknown sub-question '9\.9'"):
        edits.check(make(fw, questions={"9.9": Answer(Decimal(1))}), fw, "file.json")
    with pytest.raises(InputError, match=r"question 2\.1"):
        edits.check(make(fw, questions={"2.1": Answer(Decimal(11))}), fw, "file.json")
    with pytest.raises(InputError, match="sub-question evaluations sum theirs"):
        edits.check(make(fw, areas={"1": AreaEntry(Decimal(1))}), fw, "file.json")


text = st.text(max_size=40)
scores = st.none() | st.integers(0, 20).map(lambda n: Decimal(n) / 2)
entries = st.dictionaries(
    st.sampled_from(["Lena", "Inga-Lill", "Omar Said"]),
    st.builds(model.Entry, scores, text, st.sampled_from([(), ("website",)]), text),
    max_size=3,
)


@given(
    st.text(min_size=1, max_size=20).filter(str.strip),
    st.integers(1900, 2200),
    st.dictionaries(
        st.sampled_from(["1.1", "2.4", "8.4"]),
        st.builds(
            Answer, scores, text, st.sampled_from([(), ("interview",), ("document", "website")]), entries, text, text
        ),
    ),
    st.dictionaries(st.sampled_from(["1", "8"]), st.builds(AreaEntry, st.none(), text, text)),
    text,
)
def test_json_document_round_trips_exactly(name, year, questions, areas, summary):
    ev = Evaluation(
        id="x-1",
        municipality=name.strip(),
        year=year,
        framework="kommunkompassen-2003",
        questions=questions,
        areas=areas,
        summary=summary,
        evaluators=("A", "B"),
    )
    again = model.from_document(json.loads(json.dumps(model.to_document(ev))), "x.json")
    assert again == ev


@pytest.mark.parametrize(
    "doc, message",
    [
        ({"format": "other"}, "not a Kompass evaluation file"),
        ({"format": "kompass-evaluation", "schema": 99, "evaluation": {}}, "newer Kompass"),
        ({"format": "kompass-evaluation", "schema": 1, "evaluation": []}, "expected an object"),
        (
            {
                "format": "kompass-evaluation",
                "schema": 1,
                "evaluation": {"id": "x", "municipality": "X", "year": "2003", "framework": "f"},
            },
            "field 'year'",
        ),
        (
            {
                "format": "kompass-evaluation",
                "schema": 1,
                "evaluation": {
                    "id": "x",
                    "municipality": "X",
                    "year": 2003,
                    "framework": "f",
                    "questions": {"1.1": {"score": "abc"}},
                },
            },
            "question 1.1: field 'score'",
        ),
        (
            {
                "format": "kompass-evaluation",
                "schema": 1,
                "evaluation": {
                    "id": "x",
                    "municipality": "X",
                    "year": 2003,
                    "framework": "f",
                    "questions": {"1.1": {"sources": ["rumour"]}},
                },
            },
            "unknown evidence source",
        ),
    ],
)
def test_bad_documents_name_the_field(doc, message):
    with pytest.raises(InputError, match=message):
        model.from_document(doc, "x.json")
