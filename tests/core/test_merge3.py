"""Three-way merges (merge3): two copies of one evaluation and the version they both started from,
as when evaluators sync through git. What only one side changed is taken from it, a removal too;
what both changed is settled as the two-way merge does, and said."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kompass_tui.core import actions, edits, merging, model, team
from kompass_tui.core.edits import Change
from kompass_tui.core.model import Evaluation
from kompass_tui.store import criteria

FW = criteria.get("kommunkompassen-2003")  # (pure: the same as the fw fixture, usable by a property)
LENA, INGA, OMAR = "Lena Langlet", "Inga-Lill Elwin", "Omar Said"
T0, T1, T2 = "2026-03-02T09:00:00+00:00", "2026-03-02T09:00:01+00:00", "2026-03-02T09:00:02+00:00"
FROM = "laptop.json"


def edited(ev: Evaluation, at: str, *changes: Change) -> Evaluation:
    """The evaluation after changes made at a time (and saved then, as the service stamps it)."""
    return replace(edits.chain(*changes)(ev, FW, at), updated=at)


def make_base() -> Evaluation:
    """The version both laptops start from: two evaluators' entries, a consensus, texts, an action."""
    ev = Evaluation(
        id="botkyrka-2003", municipality="Botkyrka", year=2003, framework=FW.id, evaluators=(LENA, INGA), created=T0
    )
    return edited(
        ev,
        T0,
        edits.score("1.1", Decimal(30), by=LENA),
        edits.note("1.1", "Hemsidan är bra", ["website"], by=LENA),
        edits.score("1.1", Decimal(32), by=INGA),
        edits.score("2.1", Decimal(8), by=INGA),
        edits.consensus("1.1", Decimal(31), by=LENA),
        edits.note("1.1", "Gemensam text", ["interview"]),
        edits.area_text("1", "strengths", "Dialog med medborgarna"),
        edits.text("summary", "Botkyrka utvärderades i juni."),
        actions.add("3", "Synliggör målarbetet", LENA, owner="KLK", due_date="2027-01-31"),
    )


@pytest.fixture
def base() -> Evaluation:
    return make_base()


def merged(base: Evaluation | None, mine: Evaluation, theirs: Evaluation) -> merging.Merge:
    """merge3, its result checked to be a whole evaluation (it reads back as itself)."""
    result = merging.merge3(base, mine, theirs, FROM)
    assert model.from_dict(model.to_dict(result.evaluation)) == result.evaluation
    return result


ONE_SIDED = {
    "an evaluator's score": edits.score("1.1", Decimal("33.5"), by=LENA),
    "an evaluator's note": edits.note("1.1", "Hemsidan är mycket bra", by=LENA),
    "a new evaluator's entry": edits.score("1.2", Decimal(20), by=OMAR),
    "the agreed note": edits.note("1.1", "Ny gemensam text"),
    "the agreed sources": edits.note("1.1", sources=["interview", "document"]),
    "the strengths": edits.area_text("1", "strengths", "Områdesgrupperna", append=True),
    "the summary": edits.text("summary", "Botkyrka utvärderades i juni 2003."),
    "the consensus": edits.consensus("1.1", Decimal(32), by=INGA),
    "a consensus cleared": edits.consensus("1.1", None, by=LENA),
    "an action's status": actions.update("3.a", INGA, state="started", comment="Påbörjad"),
    "an action removed": actions.remove("3.a", LENA),
    "a new action": actions.add("3", "Ett andra steg", INGA),
    "the team": team.add(OMAR),
    "the details": edits.details(municipality="Botkyrka kommun", start="2003-06-04"),  # (two-way: refused)
}


@pytest.mark.parametrize("change", ONE_SIDED.values(), ids=ONE_SIDED.keys())
def test_what_only_one_side_changed_is_taken_from_it_and_nothing_is_said(base, change):
    changed = edited(base, T1, change)
    assert changed != base
    for mine, theirs in ((changed, base), (base, changed)):
        result = merged(base, mine, theirs)
        assert (result.evaluation, result.messages) == (changed, [])


def test_a_text_changed_on_one_side_only_is_no_longer_kept_twice(base):
    """The two-way merge cannot tell which side changed: it keeps both texts (noise). merge3 can."""
    mine = edited(base, T1, edits.text("summary", "Botkyrka utvärderades i juni 2003, för första gången."))
    assert merging.merge(mine, base, FROM).evaluation.other_versions  # (the noise)
    result = merged(base, mine, base)
    assert result.evaluation.summary == mine.summary and not result.evaluation.other_versions
    assert result.messages == []


def test_changes_of_different_parts_on_the_two_sides_are_all_taken_silently(base):
    mine = edited(
        base,
        T1,
        edits.score("1.1", Decimal(33), by=LENA),
        edits.text("summary", "Sammanfattningen."),
        actions.update("3.a", LENA, owner="Stadsbyggnad"),
    )
    theirs = edited(
        base,
        T2,
        edits.note("1.1", "Webben", by=INGA),
        edits.area_text("1", "strengths", "Områdesgrupperna"),
        actions.update("3.a", INGA, state="done"),
    )
    result = merged(base, mine, theirs)
    ev = result.evaluation
    assert ev.answer("1.1").entry(LENA).score == 33 and ev.answer("1.1").entry(INGA).note == "Webben"
    assert (ev.summary, ev.area("1").strengths) == ("Sammanfattningen.", "Områdesgrupperna")
    action = actions.find(ev, "3.a")
    assert (action.owner, action.status) == ("Stadsbyggnad", "done")
    assert (action.changed["owner"], action.changed["status"]) == (T1, T2)
    assert not ev.other_versions and result.messages == []
    assert ev.updated == T2


@pytest.mark.parametrize("side", ["mine", "theirs"])
def test_a_score_taken_back_on_one_side_and_untouched_on_the_other_stays_taken_back(base, side):
    took_back = edited(base, T1, edits.score("1.1", None, by=INGA))
    assert INGA not in took_back.answer("1.1").entries  # (the whole entry: it held only the score)
    other = edited(base, T2, edits.score("1.2", Decimal(20), by=LENA))  # the other side works elsewhere
    mine, theirs = (took_back, other) if side == "mine" else (other, took_back)
    assert INGA in merging.merge(mine, theirs, FROM).evaluation.answer("1.1").entries  # two-way: it is back
    result = merged(base, mine, theirs)
    assert INGA not in result.evaluation.answer("1.1").entries
    assert result.evaluation.answer("1.2").entry(LENA).score == 20
    assert result.messages == []


def test_a_score_taken_back_keeps_the_note_changed_on_the_other_side(base):
    """The same evaluator's entry changed in different fields on the two laptops: both changes, as
    of the later time."""
    mine = edited(base, T1, edits.score("1.1", None, by=LENA))  # the note and sources stay
    theirs = edited(base, T2, edits.note("1.1", "Hemsidan är mycket bra", by=LENA))
    result = merged(base, mine, theirs)
    entry = result.evaluation.answer("1.1").entry(LENA)
    assert (entry.score, entry.note, entry.sources, entry.updated) == (None, "Hemsidan är mycket bra", ("website",), T2)
    assert result.messages == []


def test_different_evaluators_entries_from_both_sides_are_all_kept(base):
    mine = edited(base, T1, edits.score("1.2", Decimal(36), by=LENA), edits.score("2.1", Decimal(9), by=LENA))
    theirs = edited(base, T2, edits.score("1.2", Decimal(30), by=INGA), edits.score("1.3", Decimal(10), by=OMAR))
    result = merged(base, mine, theirs)
    ev = result.evaluation
    assert {n: e.score for n, e in ev.answer("1.2").entries.items()} == {LENA: 36, INGA: 30}
    assert {n: e.score for n, e in ev.answer("2.1").entries.items()} == {INGA: 8, LENA: 9}
    assert ev.answer("1.3").entry(OMAR).score == 10 and ev.evaluators == (LENA, INGA, OMAR)
    assert result.messages == []


def test_the_same_evaluators_entry_edited_on_both_sides_keeps_the_newer_and_says_so(base):
    earlier = edited(base, T1, edits.score("1.1", Decimal(33), by=LENA))
    later = edited(base, T2, edits.score("1.1", Decimal(28), by=LENA))
    result = merged(base, earlier, later)
    assert result.evaluation.answer("1.1").entry(LENA).score == 28
    assert result.messages == [f"1.1: {LENA}'s entry was edited in both; kept the newer from {FROM} ({T2})"]
    other_way = merged(base, later, earlier)
    assert other_way.evaluation.answer("1.1").entry(LENA).score == 28
    assert other_way.messages == [f"1.1: {LENA}'s entry was edited in both; kept the newer one here ({T2})"]


def test_an_entry_removed_on_one_side_and_changed_on_the_other_keeps_the_change_and_says_so(base):
    removed = edited(base, T1, edits.score("1.1", None, by=INGA))
    changed = edited(base, T2, edits.score("1.1", Decimal(34), by=INGA))
    result = merged(base, removed, changed)
    assert result.evaluation.answer("1.1").entry(INGA).score == 34
    assert result.messages == [f"1.1: {INGA}'s entry was removed here and changed in {FROM}; kept the change"]
    assert merged(base, changed, removed).messages == [
        f"1.1: {INGA}'s entry was changed here and removed in {FROM}; kept the change"
    ]


@pytest.mark.parametrize(
    ("change", "read", "where", "said"),
    [
        (lambda t: edits.text("summary", t), lambda ev: ev.summary, "summary", "the summary differs"),
        (
            lambda t: edits.note("1.1", t),
            lambda ev: ev.answer("1.1").note,
            "1.1 agreed note",
            "1.1: the agreed note differs",
        ),
        (
            lambda t: edits.area_text("1", "strengths", t),
            lambda ev: ev.area("1").strengths,
            "area 1 strengths",
            "area 1: the strengths differ",
        ),
    ],
)
def test_a_shared_text_changed_differently_on_both_sides_keeps_mine_and_theirs_apart(base, change, read, where, said):
    mine = edited(base, T1, change("Lenas version"))
    theirs = edited(base, T2, change("Inga-Lills version"))
    result = merged(base, mine, theirs)
    assert read(result.evaluation) == "Lenas version"
    assert result.evaluation.other_versions == ((where, FROM, "Inga-Lills version"),)
    assert result.messages == [f"{said}: this copy's is kept, {FROM}'s is in the working papers"]


def test_a_text_cleared_on_one_side_and_changed_on_the_other_keeps_the_change_and_says_so(base):
    cleared = edited(base, T1, edits.text("summary", ""))
    changed = edited(base, T2, edits.text("summary", "Ny sammanfattning."))
    result = merged(base, cleared, changed)
    assert result.evaluation.summary == "Ny sammanfattning." and not result.evaluation.other_versions
    assert result.messages == [f"the summary was cleared here and changed in {FROM}; kept the change"]


def test_the_consensus_untouched_on_both_sides_stays_as_it_was(base):
    mine = edited(base, T1, edits.score("1.1", Decimal(34), by=LENA), edits.note("1.1", "Ny text"))
    theirs = edited(base, T2, edits.score("1.1", Decimal(26), by=INGA), edits.consensus("2.1", Decimal(8), by=INGA))
    answer = merged(base, mine, theirs).evaluation.answer("1.1")
    before = base.answer("1.1")
    assert (answer.score, answer.decided_by, answer.decided_at) == (before.score, before.decided_by, before.decided_at)
    assert (answer.score, answer.decided_by, answer.decided_at) == (31, LENA, T0)


def test_the_consensus_set_differently_on_both_sides_keeps_the_newer_and_says_so(base):
    mine = edited(base, T1, edits.consensus("1.1", Decimal(33), by=LENA))
    theirs = edited(base, T2, edits.consensus("1.1", Decimal(29), by=INGA))
    result = merged(base, mine, theirs)
    answer = result.evaluation.answer("1.1")
    assert (answer.score, answer.decided_by, answer.decided_at) == (29, INGA, T2)
    assert result.messages == [f"1.1: the consensus differs; kept the newer from {FROM} ({T2})"]
    cleared = edited(base, T2, edits.consensus("1.1", None, by=INGA))
    result = merged(base, mine, cleared)
    assert (result.evaluation.answer("1.1").score, result.messages) == (
        33,
        [f"1.1: the consensus was changed here and cleared in {FROM}; kept the change"],
    )


def test_an_actions_fields_changed_on_both_sides_take_the_newer_and_the_logs_are_joined(base):
    mine = edited(base, T1, actions.update("3.a", LENA, state="started", owner="KLK-stab"))
    theirs = edited(base, T2, actions.update("3.a", INGA, state="done", due_date="2027-03-31"))
    result = merged(base, mine, theirs)
    action = actions.find(result.evaluation, "3.a")
    assert (action.status, action.owner, action.due) == ("done", "KLK-stab", "2027-03-31")
    assert [(e.by, e.status) for e in action.log] == [(LENA, "planned"), (LENA, "started"), (INGA, "done")]
    assert result.messages == [f"action 3.a: the status differs; kept the newer from {FROM} ({T2})"]


def test_an_action_removed_on_one_side_and_changed_on_the_other_stays_removed_and_it_is_said(base):
    removed = edited(base, T1, actions.remove("3.a", LENA))
    changed = edited(base, T2, actions.update("3.a", INGA, state="done"))
    for mine, theirs, how in (
        (removed, changed, "removed here and changed in"),
        (changed, removed, "changed here and removed in"),
    ):
        result = merged(base, mine, theirs)
        assert not result.evaluation.plan("3")
        assert result.messages == [f"action 3.a was {how} {FROM}; it stays removed"]


def test_actions_added_on_both_sides_are_both_kept_under_their_own_ids(base):
    mine = edited(base, T1, actions.add("3", "Här", LENA))
    theirs = edited(base, T2, actions.add("3", "Där", INGA))
    result = merged(base, mine, theirs)
    assert [(a.id, a.title) for a in result.evaluation.plan("3")] == [
        ("3.a", "Synliggör målarbetet"),
        ("3.b", "Här"),
        ("3.c", "Där"),
    ]
    assert result.messages == [f"action 3.b from {FROM} is another action than 3.b here; it is now 3.c"]


def test_the_team_is_merged_as_a_set_a_member_taken_off_on_one_side_stays_off(base):
    mine = edited(base, T1, team.remove(INGA, force=True))
    theirs = edited(base, T2, team.add(OMAR))
    result = merged(base, mine, theirs)
    assert result.evaluation.evaluators == (LENA, OMAR) and result.evaluation.team_set
    assert merging.merge(mine, theirs, FROM).evaluation.evaluators == (LENA, INGA, OMAR)  # (two-way: back)


def test_without_a_base_it_is_the_two_way_merge(base):
    mine = edited(base, T1, edits.score("1.1", Decimal(33), by=LENA), edits.text("summary", "Min"))
    theirs = edited(base, T2, edits.score("1.1", Decimal(28), by=LENA), edits.text("summary", "Din"))
    three, two = merging.merge3(None, mine, theirs, FROM), merging.merge(mine, theirs, FROM)
    assert (three.evaluation, three.messages) == (two.evaluation, two.messages)
    assert len(three.messages) == 2


def test_merging_twice_changes_nothing_more(base):
    mine = edited(base, T1, edits.score("1.1", Decimal(33), by=LENA), edits.text("summary", "Min"))
    theirs = edited(base, T2, edits.score("1.1", Decimal(28), by=LENA), edits.text("summary", "Din"))
    first = merged(base, mine, theirs).evaluation
    # the merge is committed; the other laptop has not changed since: the merge is theirs to take
    again = merged(theirs, first, theirs)
    assert (again.evaluation, again.messages) == (first, [])
    assert merged(theirs, theirs, first).evaluation == first


# -- files ----------------------------------------------------------------------------------------


def test_an_evaluation_deleted_on_one_side_and_edited_on_the_other_is_kept_as_edited(base):
    changed = edited(base, T1, edits.score("1.1", Decimal(33), by=LENA))
    kept = merging.merge3_files(base, None, changed, FROM)
    assert kept is not None and kept.evaluation == changed
    assert kept.messages == [f"botkyrka-2003 was deleted here and changed in {FROM}; kept the changed one"]
    kept = merging.merge3_files(base, changed, None, FROM)
    assert kept is not None and kept.evaluation == changed
    assert kept.messages == [f"botkyrka-2003 was changed here and deleted in {FROM}; kept the changed one"]


def test_an_evaluation_deleted_and_untouched_or_deleted_on_both_sides_is_gone(base):
    assert merging.merge3_files(base, None, base, FROM) is None
    assert merging.merge3_files(base, base, None, FROM) is None
    assert merging.merge3_files(base, None, None, FROM) is None
    assert merging.merge3_files(None, None, None, FROM) is None


def test_an_evaluation_added_on_one_side_or_both_is_kept(base):
    added = merging.merge3_files(None, None, base, FROM)
    assert added is not None and (added.evaluation, added.messages) == (base, [])
    other = edited(base, T1, edits.text("summary", "Annan"))
    both = merging.merge3_files(None, base, other, FROM)
    assert both is not None and both == merging.merge(base, other, FROM)
    changed = merging.merge3_files(base, base, other, FROM)
    assert changed is not None and (changed.evaluation, changed.messages) == (other, [])


# -- properties -----------------------------------------------------------------------------------

_BASE = make_base()
_EVALUATORS = st.sampled_from([LENA, INGA, OMAR])
_TEXTS = st.text(alphabet="abc åäö.", max_size=12)
_POINTS = st.integers(0, 20).map(lambda n: Decimal(n) / 2)  # every question of areas 1 and 2 has 10 points or more


def _scored(qid: str) -> st.SearchStrategy[Change]:
    return st.one_of(
        st.builds(lambda p, by: edits.score(qid, p, by=by), st.none() | _POINTS, _EVALUATORS),
        st.builds(lambda t, by: edits.note(qid, t, by=by), _TEXTS, _EVALUATORS),
        st.builds(lambda p, by: edits.consensus(qid, p, by=by), st.none() | _POINTS, _EVALUATORS),
        st.builds(lambda t, s: edits.note(qid, t, s), _TEXTS, st.lists(st.sampled_from(model.SOURCES))),
    )


def _changes(area: str, kind: str, action: bool = True) -> st.SearchStrategy[Change]:
    """Edits of one area's sub-questions and texts, one of the evaluation's texts, and the action 3.a."""
    return st.one_of(
        st.sampled_from([q.id for q in FW.area(area).questions]).flatmap(_scored),
        st.builds(lambda t, which: edits.area_text(area, which, t), _TEXTS, st.sampled_from(model.AREA_TEXTS)),
        st.builds(lambda t: edits.text(kind, t), _TEXTS),
        *([st.builds(lambda s: actions.update("3.a", INGA, state=s), st.sampled_from(model.STATUSES))] * action),
    )


_CHANGES = st.one_of(_changes("1", "summary"), _changes("2", "challenges"))


@given(st.lists(_CHANGES, max_size=6), st.lists(_CHANGES, max_size=6))
def test_property_a_side_alone_changed_is_taken_whole_and_a_side_that_changed_nothing_is_the_other(mine, theirs):
    changed = edited(edited(_BASE, T1, *mine), T2, *theirs)  # (edits at two times: the entries' times differ)
    for result in (merging.merge3(_BASE, changed, _BASE, FROM), merging.merge3(_BASE, _BASE, changed, FROM)):
        assert (result.evaluation, result.messages) == (changed, [])


@given(st.lists(_changes("1", "summary", action=False), max_size=6), st.lists(_changes("2", "challenges"), max_size=6))
def test_property_changes_of_different_parts_merge_to_both_silently(mine, theirs):
    """Area 1 and the summary changed here, area 2 and the closing challenges there (and the action
    3.a only there): the merge is as if one laptop had made both."""
    here = edited(_BASE, T1, *mine)
    there = edited(_BASE, T2, *theirs)
    result = merging.merge3(_BASE, here, there, FROM)
    assert (result.evaluation, result.messages) == (edited(here, T2, *theirs), [])
