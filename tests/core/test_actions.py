"""The action plan: actions added, changed, logged and removed (the edits and the service), the
follow-up of the previous round, and merges of two copies that both changed the plan."""

from dataclasses import replace

import pytest
from helpers import reevaluation, snapshot_files

from kompass_tui.core import actions, cleaning, merging, model
from kompass_tui.errors import InputError, KompassError, NotFound
from kompass_tui.exchange import plans


def test_actions_get_short_ids_per_area_and_a_log_of_who_changed_their_status(demo, clock):
    first = demo.add_action("botkyrka-2003", "3", "Synliggör målarbetet", "lena langlet", improvement=2)[1]
    assert first.id == "3.a" and first.status == "planned" and first.improvement == 2
    assert first.created_by == "Lena Langlet"  # as the team spells the name
    second = demo.add_action("botkyrka-2003", "3", "Ett andra steg", "Lena Langlet", owner="KLK", due="2027-01-31")[1]
    assert second.id == "3.b"
    clock.tick()
    changed = demo.set_action("botkyrka-2003", "3.a", "Inga-Lill Elwin", state="påbörjad", comment="Startat")[1]
    assert changed.status == "started"
    assert [(e.by, e.status, e.comment) for e in changed.log] == [
        ("Lena Langlet", "planned", ""),
        ("Inga-Lill Elwin", "started", "Startat"),
    ]
    assert changed.changed["status"] == clock.at.isoformat() and changed.changed["title"] == first.created
    clock.tick()
    noted = demo.set_action("botkyrka-2003", "3.a", "Lena Langlet", comment="Halvvägs")[1]
    assert noted.log[-1].status == "started" and noted.log[-1].comment == "Halvvägs"
    stored = demo.get("botkyrka-2003")
    assert [a.id for a in stored.plan("3")] == ["3.a", "3.b"]
    assert model.from_dict(model.to_dict(stored)) == stored


def test_a_removed_action_leaves_a_tombstone_and_its_id_is_not_used_again(demo, clock):
    demo.add_action("botkyrka-2003", "3", "Ett", "Lena Langlet")
    demo.add_action("botkyrka-2003", "3", "Två", "Lena Langlet")
    clock.tick()
    ev = demo.remove_action("botkyrka-2003", "3.b", "Lena Langlet")
    assert [a.id for a in ev.plan("3")] == ["3.a"]
    gone = next(a for a in ev.actions if a.id == "3.b")
    assert gone.removed == clock.at.isoformat() and gone.removed_by == "Lena Langlet"
    assert demo.add_action("botkyrka-2003", "3", "Tre", "Lena Langlet")[1].id == "3.c"
    with pytest.raises(NotFound, match=r"no action '3\.b'"):
        demo.set_action("botkyrka-2003", "3.b", "Lena Langlet", state="done")


def test_ids_run_on_past_z():
    assert [actions.letters(n) for n in (0, 25, 26, 27, 51, 52)] == ["a", "z", "aa", "ab", "az", "ba"]
    many = [model.Action(id=f"2.{actions.letters(n)}", key=str(n), area="2", title="x") for n in range(30)]
    assert actions.next_id(many, "2") == "2.ae" and actions.next_id(many, "3") == "3.a"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda b: b.add_action("botkyrka-2003", "9", "x", "Lena Langlet"), "no area '9'"),
        (lambda b: b.add_action("botkyrka-2003", "2", "x", "Lena Langlet", due="2004-02-30"), "not a date"),
        (lambda b: b.add_action("botkyrka-2003", "2", "x", "Lena Langlet", due="30/6 2004"), "YYYY-MM-DD"),
        (lambda b: b.add_action("botkyrka-2003", "2", "  ", "Lena Langlet"), "give the action a title"),
        (lambda b: b.add_action("botkyrka-2003", "2", "x", "Lena Langlet", improvement=3), "from 1 to 2"),
        (lambda b: b.add_action("botkyrka-2003", "2", "x", "Lena Langlet", status="finished"), "unknown status"),
        (lambda b: b.set_action("botkyrka-2003", "2.a", "Lena Langlet", state="klart!"), "unknown status"),
        (lambda b: b.set_action("botkyrka-2003", "2.z", "Lena Langlet", state="done"), "no action '2.z'"),
        (lambda b: b.set_action("botkyrka-2003", "2.a", "Lena Langlet", due_date="2004-6-1"), "not a date"),
    ],
)
def test_bad_input_is_refused_with_one_line_and_nothing_written(demo, db_path, call, message):
    before = snapshot_files(db_path / "evaluations")
    with pytest.raises(KompassError, match=message) as caught:
        call(demo)
    assert "\n" not in str(caught.value)
    assert snapshot_files(db_path / "evaluations") == before


def test_swedish_words_for_statuses_and_messages():
    assert [actions.status(w) for w in ("Planerad", "påbörjad", "KLAR", "avbruten", "paborjad")] == [
        "planned",
        "started",
        "done",
        "dropped",
        "started",
    ]
    with pytest.raises(InputError) as caught:
        actions.status("färdig")
    assert "planerad, påbörjad, klar eller avbruten" in caught.value.words_in("sv")


def test_where_the_team_is_set_only_its_members_change_the_plan(bench):
    ev = bench.create("Håbo", 2026, evaluators=["Anna Berg"])
    with pytest.raises(InputError, match="not on the team"):
        bench.add_action(ev.id, "1", "Något", "Omar Said")
    assert bench.add_action(ev.id, "1", "Något", "anna berg")[1].created_by == "Anna Berg"
    with pytest.raises(InputError, match="not on the team"):
        bench.set_action(ev.id, "1.a", "Omar Said", state="done")
    with pytest.raises(InputError, match="not on the team"):
        bench.remove_action(ev.id, "1.a", "Omar Said")
    assert bench.get(ev.id).plan()[0].status == "planned"


def test_overdue_and_filters(demo):
    # the demo's plan (Botkyrka 2003): 5.a planned for 2005-06-30, 2.b and 6.a started, both long overdue
    overdue = demo.actions("botkyrka-2003", overdue=True)[2]
    assert [a.id for a in overdue] == ["2.b", "5.a", "6.a"]
    assert [a.id for a in demo.actions("botkyrka-2003", status="klar")[2]] == ["1.a", "2.a", "4.a"]
    assert [a.id for a in demo.actions("botkyrka-2003", area_id="7")[2]] == ["7.a"]
    tally = actions.tally(demo.get("botkyrka-2003").plan(), "2026-01-01")
    assert (tally.done, tally.open, tally.dropped, tally.overdue, tally.counted) == (3, 3, 1, 3, 6)
    assert plans.tally_text(tally, "sv") == "3 av 6 åtgärder klara · 1 avbruten · 3 försenade"
    assert plans.tally_text(actions.tally([]), "en") == "no actions"


def test_the_follow_up_shows_the_previous_rounds_actions_beside_the_change(bench):
    before, after = reevaluation(bench)
    found = bench.followup(after)
    assert found is not None and found.paired and found.previous.id == before.id
    area2, area7 = found.of("2"), found.of("7")
    assert area2 is not None and area7 is not None
    assert str(area2.change) == "6.5" and [a.id for a in area2.actions] == ["2.a", "2.b"]
    assert str(area7.change) == "-3" and area7.tally.done == 1
    assert plans.followup_line(area2, found, "sv") == "Område 2: +6,5 sedan 2003 · 1 av 2 åtgärder klara · 1 försenad"
    assert plans.followup_line(area7, found, "en") == "Area 7: −3 since 2003 · 1 of 1 action done"
    assert found.tally.done == 2 and found.tally.counted == 3
    assert bench.followup(before) is None  # the first round follows nothing up


def test_a_follow_up_across_versions_of_the_framework_lists_the_old_areas_unpaired(bench, tmp_path):
    before, between = reevaluation(bench)
    bench.delete(between.id)  # (else 2020 follows up 2008, the round just before it)
    other = tmp_path / "kk-ny.toml"
    other.write_text(
        '[framework]\nid = "kk-ny"\nname = "Ny version"\n'
        + "".join(
            f'[[area]]\nid = "{n}"\nname = "Nytt område {n}"\nmax = 2\n'
            f'[[area.question]]\nid = "{n}.1"\ntext = "Fråga?"\nmax = 2\n'
            for n in range(1, 4)
        ),
        encoding="utf-8",
    )
    bench.add_framework(other)
    newer = bench.create("Botkyrka", 2020, framework_id="kk-ny")
    found = bench.followup(newer)
    assert found is not None and not found.paired and found.previous.id == before.id
    assert found.of("2") is None  # not paired with the new areas
    assert [item.area.name("sv") for item in found.areas if item.actions] == [
        "Tillgänglighet och medborgar-/brukarorientering",
        "Verksamhetsutveckling",
    ]
    assert all(item.change is None for item in found.areas)
    lines = plans.followup_lines(found, "sv")
    assert any("dess egna områden" in line for line in lines)
    assert not any("sedan 2003 ·" in line for line in lines)


# -- merges ---------------------------------------------------------------------------------


def test_merge_keeps_the_newer_change_of_each_field_and_says_so(demo, clock):
    demo.add_action("botkyrka-2003", "3", "Gemensam", "Lena Langlet", owner="KLK", due="2027-01-31")
    base = demo.get("botkyrka-2003")
    fw = demo.framework(base.framework)
    clock.tick()
    mine = actions.update("3.a", "Lena Langlet", state="started", comment="här")(base, fw, model.now())
    clock.tick()
    theirs = actions.update("3.a", "Inga-Lill Elwin", state="done", owner="Stadsbyggnad")(base, fw, model.now())
    clock.tick()
    mine = actions.update("3.a", "Lena Langlet", due_date="2027-03-31")(mine, fw, model.now())
    result = merging.merge(mine, theirs, "laptop.json")
    merged = actions.find(result.evaluation, "3.a")
    assert (merged.status, merged.owner, merged.due) == ("done", "Stadsbyggnad", "2027-03-31")
    assert [(e.by, e.status) for e in merged.log] == [
        ("Lena Langlet", "planned"),
        ("Lena Langlet", "started"),
        ("Inga-Lill Elwin", "done"),
    ]
    said = "\n".join(result.messages)
    assert "action 3.a: the status differs; kept the newer from laptop.json" in said
    assert "action 3.a: the owner differs; kept the newer from laptop.json" in said
    assert "action 3.a: the due differs; kept the newer one here" in said
    again = merging.merge(result.evaluation, theirs, "laptop.json")  # merging twice changes nothing more
    assert actions.find(again.evaluation, "3.a") == merged


def test_a_removed_action_is_not_brought_back_by_a_merge(demo, clock):
    demo.add_action("botkyrka-2003", "3", "Bort", "Lena Langlet")
    older = demo.get("botkyrka-2003")
    clock.tick()
    newer = demo.remove_action("botkyrka-2003", "3.a", "Lena Langlet")
    result = merging.merge(newer, older, "old.json")
    assert not result.evaluation.plan("3") and len(result.evaluation.actions) == len(newer.actions)
    other_way = merging.merge(older, newer, "new.json")
    assert not other_way.evaluation.plan("3")
    fw = demo.framework(older.framework)
    clock.tick()
    edited = actions.update("3.a", "Lena Langlet", state="done")(older, fw, model.now())
    kept = merging.merge(newer, edited, "edited.json")
    assert not kept.evaluation.plan("3")
    assert any("stays removed" in line for line in kept.messages)


def test_two_copies_that_each_added_an_action_keep_both(demo, clock):
    base = demo.get("botkyrka-2003")
    fw = demo.framework(base.framework)
    mine = actions.add("3", "Här", "Lena Langlet")(base, fw, model.now())
    clock.tick()
    theirs = actions.add("3", "Där", "Inga-Lill Elwin")(base, fw, model.now())
    result = merging.merge(mine, theirs, "laptop.json")
    assert [(a.id, a.title) for a in result.evaluation.plan("3")] == [("3.a", "Här"), ("3.b", "Där")]
    assert any("is now 3.b" in line for line in result.messages)
    again = merging.merge(result.evaluation, theirs, "laptop.json")
    assert [(a.id, a.title) for a in again.evaluation.plan("3")] == [("3.a", "Här"), ("3.b", "Där")]


def test_merge_through_the_service_of_an_exported_copy(demo, clock, tmp_path):
    demo.add_action("botkyrka-2003", "3", "Gemensam", "Lena Langlet")
    path = tmp_path / "copy.json"
    demo.write_export("botkyrka-2003", path, "json", "en")
    clock.tick()
    demo.set_action("botkyrka-2003", "3.a", "Lena Langlet", state="started")
    other = demo.get("botkyrka-2003")
    fw = demo.framework(other.framework)
    clock.tick()
    theirs = actions.update("3.a", "Inga-Lill Elwin", owner="KLK")(model.from_dict(_exported(path)), fw, model.now())
    path.write_text(__import__("json").dumps(model.to_document(theirs)), encoding="utf-8")
    result = demo.merge(path)
    merged = actions.find(result.evaluation, "3.a")
    assert (merged.status, merged.owner) == ("started", "KLK")
    assert actions.find(demo.get("botkyrka-2003"), "3.a") == merged


def _exported(path):
    return __import__("json").loads(path.read_text(encoding="utf-8"))["evaluation"]


# -- files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": "finished"}, "status must be one of"),
        ({"due": "2004-02-30"}, "'due' must be a date"),
        ({"id": "2a"}, "such as 2.a"),
        ({"area": "3"}, "is in area 2"),
        ({"improvement": 0}, "number from 1"),
        ({"log": "x"}, "'log' must be a list"),
        ({"changed": {"colour": "x"}}, "'changed' must map"),
    ],
)
def test_a_file_with_a_bad_action_is_refused_naming_it(change, message):
    action = model.Action(id="2.a", key="k", area="2", title="t")
    data = model.to_dict(model.Evaluation(id="x-2003", municipality="X", year=2003, framework="f", actions=(action,)))
    data["actions"][0].update(change)
    with pytest.raises(InputError, match=message):
        model.from_dict(data, "file.json")


def test_an_action_twice_in_a_file_is_refused():
    action = model.Action(id="2.a", key="k", area="2", title="t")
    data = model.to_dict(model.Evaluation(id="x", municipality="X", year=2003, framework="f", actions=(action, action)))
    with pytest.raises(InputError, match="appears twice"):
        model.from_dict(data, "file.json")


def test_an_actions_texts_from_a_file_are_cleaned_as_typed_ones_are():
    hostile = model.Action(
        id="2.a",
        key="k",
        area="2",
        title="\x1b[31mRöd\x1b[0m [bold]rubrik[/]",
        owner="Ägare\x07",
        log=(model.LogEntry("2026-01-01T00:00:00+00:00", "Anna\x1b]0;x\x07", "planned", "ok\x1b[2J"),),
    )
    ev = model.Evaluation(id="x", municipality="X", year=2003, framework="f", actions=(hostile,))
    cleaned, removed = cleaning.cleaned(ev, "file.json")
    action = cleaned.actions[0]
    assert removed > 0
    assert "\x1b" not in action.title and "[bold]rubrik[/]" in action.title  # markup is text, kept as typed
    assert action.owner == "Ägare" and "\x1b" not in action.log[0].by and "\x1b" not in action.log[0].comment


def test_an_evaluation_without_actions_is_stored_as_before(demo):
    ev = demo.get("kalix-2003")
    assert "actions" not in model.to_dict(ev)
    assert replace(ev, actions=()) == ev


def test_a_comparison_says_what_became_of_each_ones_previous_action_plan_from_the_index(bench):
    from kompass_tui.exchange import tables

    bench.load_demo()
    bench.delete("botkyrka-2003")
    reevaluation(bench)
    assert bench.rows()[0].plan == {"2": [1, 1, 0], "7": [1, 0, 0]}  # kept in the index: no file is read
    table = bench.comparison(["botkyrka-2008", "kalix-2003"])
    assert table.followups[0]["2"].done == 1 and table.followups[1] == {}
    assert tables.notes(table, "sv", "best_note").endswith(
        "Handlingsplanen från 2003 för Botkyrka 2008: 2 av 3 åtgärder klara (område 2: 1 av 2; område 7: 1 av 1)."
    )
    assert "The 2003 action plan of Botkyrka 2008: 2 of 3 actions done" in tables.notes(table, "en", "best_note")


def test_another_framework_is_refused_where_an_action_has_no_area_in_it(bench, tmp_path):
    from helpers import MINI_FRAMEWORK

    path = tmp_path / "mini.toml"
    path.write_text(MINI_FRAMEWORK, encoding="utf-8")
    bench.add_framework(path)
    ev = bench.create("Håbo", 2026, evaluators=["Anna Berg"])
    bench.add_action(ev.id, "2", "Något", "Anna Berg")
    with pytest.raises(InputError, match=r"action 2\.a is in area 2"):
        bench.edit(ev.id, framework_id="mini")


def test_an_index_row_taken_apart_in_one_call_is_the_row_the_full_path_makes():
    from kompass_tui.service.rows import Row
    from kompass_tui.store.rowcheck import USUAL_FIELDS

    usual = dict.fromkeys(USUAL_FIELDS, 0) | {
        "municipality": "Botkyrka",
        "framework": "kommunkompassen-2003",
        "level": "questions",
        "created": "2003-06-06",
        "year": 2003,
        "total": "639",
        "maximum": "800",
        "areas": {"1": "83"},
        "unfinished": ["2"],
        "id": "botkyrka-2003",
        "fp": [1, 2, 3, 4],
    }
    fast = Row.from_raw(usual)
    full = Row.from_raw({**usual, "unfit": 0})  # (one field more: the field-by-field path)
    assert fast == full and len(fast) == len(Row._fields)
    assert Row.from_raw({**usual, "plan": {"2": [1, 1, 0]}, "reference": True})[-2:] == ({"2": [1, 1, 0]}, True)
