"""What changed between two versions of an evaluation: each kind, who made it, and the one line a
sync's commit message and its summary make of them."""

from dataclasses import replace
from decimal import Decimal

import pytest

from kompass_tui.core import actions, edits, model
from kompass_tui.core.changes import KINDS, Changed, changes, message, tally
from kompass_tui.core.model import AREAS, Answer, Entry, Evaluation

AT = "2026-03-02T09:00:00+00:00"
ANNA, OMAR = "Anna Berg", "Omar Said"


def make(fw, **kw):
    return Evaluation(id="x-2026", municipality="X", year=2026, framework=fw.id, evaluators=(ANNA, OMAR), **kw)


def run(ev, fw, *steps):
    return edits.chain(*steps)(ev, fw, AT)


def test_no_change_is_no_changes_and_no_message(fw, demo):
    ev = demo.get("botkyrka-2003")
    assert changes(ev, ev) == [] and changes(ev, model.from_dict(model.to_dict(ev))) == []
    assert changes(None, None) == []
    assert message([]) == "" and tally([]) == {}


def test_an_evaluators_score_note_and_sources_are_theirs(fw):
    before = run(make(fw), fw, edits.score("1.2", Decimal(10), OMAR))
    after = run(
        before,
        fw,
        edits.score("1.1", Decimal(30), ANNA),
        edits.note("1.2", "Protokollen finns på webben", by=ANNA),
        edits.note("1.2", sources=["webb", "intervju"], by=OMAR),
        edits.score("1.2", None, OMAR),
    )
    assert changes(before, after) == [
        Changed(ANNA, "score", "1.1", "30"),
        Changed(ANNA, "note", "1.2", ""),  # never the note's text
        Changed(OMAR, "score", "1.2", "–"),  # taken back
        Changed(OMAR, "sources", "1.2", "interview, website"),
    ]
    assert message(changes(before, after)) == "Anna Berg: 1.1 30, note on 1.2; Omar Said: 1.2 –, sources of 1.2"


def test_the_exact_message_of_a_small_mixed_change(fw):
    before = make(fw)
    after = run(
        before,
        fw,
        edits.area_text("2", "strengths", "Tydliga mål"),
        edits.note("1.2", "Se protokollen", by=ANNA),
        edits.score("1.1", Decimal(30), ANNA),
    )
    found = changes(before, after, by=ANNA)  # the one syncing is credited with what the data names no one for
    assert message(found) == "Anna Berg: 1.1 30, note on 1.2, strengths area 2"
    assert message(changes(before, after)) == "Anna Berg: 1.1 30, note on 1.2; team: strengths area 2"


def test_the_teams_agreed_answer_is_credited_to_who_decided_it(fw):
    before = run(make(fw), fw, edits.score("1.1", Decimal(30), ANNA), edits.score("1.1", Decimal(32), OMAR))
    after = run(
        before,
        fw,
        edits.consensus("1.1", Decimal(31), OMAR),
        edits.note("1.1", "Enade efter mötet", ["dokument"]),
    )
    assert changes(before, after) == [
        Changed(OMAR, "consensus", "1.1", "31"),
        Changed("", "agreed note", "1.1", ""),
        Changed("", "agreed sources", "1.1", "document"),
    ]
    assert message(changes(before, after)) == (
        "Omar Said: consensus 1.1 31; team: agreed note on 1.1, agreed sources of 1.1"
    )
    cleared = edits.consensus("1.1", None, ANNA)(after, fw, AT)
    assert changes(after, cleared) == [Changed("", "consensus", "1.1", "–")]  # who took it back is not kept


def test_areas_and_texts(fw):
    before = make(fw)
    after = run(
        before,
        fw,
        edits.text("challenges", "Fortsätt"),
        edits.area_text("3", "improvements", "- Chefsforum"),
        edits.text("summary", "Bra"),
        edits.area_text("2", "strengths", "Mål"),
    )
    assert changes(before, after) == [
        Changed("", "strengths", "area 2", ""),
        Changed("", "improvements", "area 3", ""),
        Changed("", "summary", "", ""),
        Changed("", "challenges", "", ""),
    ]
    assert message(changes(before, after)) == "team: strengths area 2, improvements area 3, summary, challenges"


def test_an_area_score_of_an_area_level_evaluation(fw):
    before = replace(make(fw), level=AREAS)
    after = run(before, fw, edits.score("8", Decimal(20)), edits.score("3", Decimal("45.5")))
    assert changes(before, after) == [
        Changed("", "area score", "area 3", "45.5"),
        Changed("", "area score", "area 8", "20"),
    ]
    assert message(changes(before, after)) == "team: area 3 45.5, area 8 20"
    assert changes(after, run(after, fw, edits.score("3", None))) == [Changed("", "area score", "area 3", "–")]


def test_sub_questions_come_in_id_order_whatever_order_they_were_stored_in(fw):
    before = make(fw)
    after = run(before, fw, *(edits.score(q, Decimal(1), ANNA) for q in ("8.2", "2.1", "1.1")))
    assert [c.where for c in changes(before, after)] == ["1.1", "2.1", "8.2"]
    out_of_order = replace(before, questions={"1.10": Answer(Decimal(1)), "1.9": Answer(Decimal(1))})
    assert [c.where for c in changes(before, out_of_order)] == ["1.9", "1.10"]


def test_the_action_plan(fw, demo):
    ev = demo.get("botkyrka-2003")
    fw = demo.framework(ev.framework)
    added = actions.add("3", "Chefsforum", "lena langlet")(ev, fw, AT)
    assert changes(ev, added) == [Changed("Lena Langlet", "action", "3.a", "added")]
    done = actions.update("3.a", "Inga-Lill Elwin", state="klar")(added, fw, AT)
    assert changes(added, done) == [Changed("Inga-Lill Elwin", "action", "3.a", "done")]
    commented = actions.update("3.a", "Lena Langlet", comment="Bra")(done, fw, AT)
    assert changes(done, commented) == [Changed("Lena Langlet", "action", "3.a", "changed")]
    owned = actions.update("3.a", "Lena Langlet", owner="KLK")(commented, fw, AT)
    assert changes(commented, owned) == [Changed("", "action", "3.a", "changed")]  # not logged: who is not kept
    assert changes(commented, owned, by=ANNA) == [Changed(ANNA, "action", "3.a", "changed")]
    removed = actions.remove("3.a", "Inga-Lill Elwin")(owned, fw, AT)
    assert changes(owned, removed) == [Changed("Inga-Lill Elwin", "action", "3.a", "removed")]
    assert changes(ev, removed) == []  # added and removed in between: the plan is as it was
    assert message(changes(added, done) + changes(owned, removed)) == (
        "Inga-Lill Elwin: action 3.a done, action 3.a removed"
    )


def test_the_team_and_the_details(fw):
    before = make(fw)
    after = run(before, fw, edits.score("1.1", Decimal(3), "Eva Ek"))  # scoring joins the team
    assert changes(before, after) == [
        Changed("Eva Ek", "evaluator", "", "added"),
        Changed("Eva Ek", "score", "1.1", "3"),
    ]
    assert message(changes(before, after)) == "Eva Ek: joined the team, 1.1 3"
    left = replace(before, evaluators=(ANNA,))
    assert message(changes(before, left)) == "Omar Said: left the team"
    moved = edits.details(start="2026-03-02", municipality="Y")(before, fw, AT)
    assert (
        changes(before, moved) == [Changed("", "details", "", "")]
        and message(changes(before, moved)) == "team: details"
    )
    merged = replace(before, other_versions=(("summary", "laptop.json", "Annan"),))
    assert message(changes(before, merged)) == "team: other versions of texts"
    assert changes(before, replace(before, updated=AT)) == []  # a time stamp alone is no change


def test_created_and_deleted(fw):
    ev = run(make(fw), fw, edits.score("1.1", Decimal(30), ANNA), edits.text("summary", "Bra"))
    assert changes(None, ev) == [
        Changed("", "evaluation", "", "created"),
        Changed(ANNA, "evaluator", "", "added"),
        Changed(OMAR, "evaluator", "", "added"),
        Changed(ANNA, "score", "1.1", "30"),
        Changed("", "summary", "", ""),
    ]
    assert message(changes(None, ev)) == (
        "Anna Berg: joined the team, 1.1 30; Omar Said: joined the team; team: created, summary"
    )
    assert changes(ev, None) == [Changed("", "evaluation", "", "deleted")]
    assert message(changes(ev, None, by=OMAR)) == "Omar Said: deleted"


def test_the_message_is_cut_at_its_limit(fw):
    before = make(fw)
    after = run(before, fw, *(edits.score(q.id, Decimal(1), ANNA) for q in fw.questions))
    whole = message(changes(before, after), limit=10_000)
    assert whole.startswith("Anna Berg: 1.1 1, 1.2 1, 1.3 1, 2.1 1") and len(whole) > 200
    cut = message(changes(before, after))
    assert len(cut) <= 200 and cut.endswith("1…") and whole.startswith(cut[:-1])
    assert whole[len(cut) - 1 :].startswith(", ")  # cut after a whole item
    assert message(changes(before, after), limit=31) == "Anna Berg: 1.1 1, 1.2 1, 1.3 1…"
    assert message(changes(before, after), limit=30) == "Anna Berg: 1.1 1, 1.2 1…"
    assert len(message(changes(before, after), limit=5)) == 5
    assert message(changes(before, after), limit=1) == "…" and message(changes(before, after), limit=0) == ""


def test_a_hostile_name_cannot_reach_a_commit_message_raw(fw):
    hostile = "Eve\x1b[2J\nrm -rf"
    before = make(fw)
    after = before.with_answer("1.1", Answer(entries={hostile: Entry(Decimal(3))}))  # as a hand-edited file holds it
    found = changes(before, after)
    assert found == [Changed(hostile, "score", "1.1", "3")]  # the data as it is
    line = message(found)
    assert "\n" not in line and "\x1b" not in line and line.isprintable()
    assert line == "Eve␛[2J rm -rf: 1.1 3"
    assert message([Changed("\n\t ", "summary", "", "")]) == "team: summary"  # nothing visible: the team's


def test_tally_counts_per_who_and_kind(fw):
    before = make(fw)
    after = run(
        before,
        fw,
        *(edits.score(q, Decimal(1), OMAR) for q in ("1.1", "1.2", "1.3", "2.1")),
        *(edits.note(q, "x", by=OMAR) for q in ("1.1", "1.2")),
        edits.score("1.1", Decimal(2), ANNA),
        edits.consensus("1.1", Decimal(1), ANNA),
        edits.text("summary", "Bra"),
    )
    assert tally(changes(before, after)) == {
        ANNA: {"score": 1, "consensus": 1},
        OMAR: {"score": 4, "note": 2},
        "": {"summary": 1},
    }


def test_every_kind_is_documented():
    assert len(set(KINDS)) == len(KINDS) == 16


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_has_words(kind):
    assert message([Changed("A", kind, "1.1", "done")]).startswith("A: ")
