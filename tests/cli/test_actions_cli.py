"""The action plan at the command line: actions, action add|set|remove, followup."""

import pytest
from helpers import reevaluation, snapshot_files
from test_cli import run

from kompass_tui.service import Workbench


def test_add_set_and_list_actions(db):
    out = run(
        "action",
        "add",
        "botkyrka-2003",
        "3",
        "Synliggör målarbetet",
        "--improvement",
        "2",
        "--owner",
        "Kommunledningskontoret",
        "--due",
        "2027-06-30",
        "--as",
        "Lena Langlet",
        "--db",
        db,
    ).stdout
    assert out.strip() == "botkyrka-2003: added action 3.a"
    out = run(
        "action",
        "set",
        "botkyrka-2003",
        "3.a",
        "--status",
        "påbörjad",
        "--comment",
        "Startat",
        "--as",
        "Inga-Lill Elwin",
        "--db",
        db,
    ).stdout
    assert out.strip() == "3.a ◐ started  Synliggör målarbetet — Kommunledningskontoret, due 2027-06-30"
    listed = run("--lang", "sv", "actions", "botkyrka-2003", "--area", "3", "--db", db).stdout.splitlines()
    assert listed[0] == "3 Tydlighet i samspelet mellan politiker och tjänstemän · 0 av 1 åtgärd klar"
    assert listed[1] == "  3.a ◐ påbörjad  Synliggör målarbetet — Kommunledningskontoret, klart senast 2027-06-30"
    assert listed[2].startswith("      utvecklingsområde 2: Att göra åtagandena synligare")
    log = Workbench(db).get("botkyrka-2003").plan("3")[0].log
    assert [(e.by, e.status, e.comment) for e in log] == [
        ("Lena Langlet", "planned", ""),
        ("Inga-Lill Elwin", "started", "Startat"),
    ]


def test_the_demo_has_an_action_plan_to_list(db):
    out = run("actions", "botkyrka-2003", "--db", db).stdout
    assert "2.a ● done  Beskriv enheternas åtaganden" in out
    assert "7.a ✕ dropped  Extern kvalitetsrevision" in out
    overdue = run("actions", "botkyrka-2003", "--overdue", "--db", db).stdout
    assert "(overdue)" in overdue and "● done" not in overdue
    done = run("actions", "botkyrka-2003", "--status", "klar", "--db", db).stdout
    assert done.count("● done") == 3 and "started" not in done.replace("· ", "")
    assert "has no action plan yet" in run("actions", "kalix-2003", "--db", db).stdout


def test_remove_asks_and_no_keeps_it(db):
    before = snapshot_files(db / "evaluations")
    result = run("action", "remove", "botkyrka-2003", "2.b", "--db", db, input="n\n", code=1)
    assert "nothing removed" in result.stderr
    assert snapshot_files(db / "evaluations") == before
    run("action", "remove", "botkyrka-2003", "2.b", "--db", db, input="y\n")
    assert [a.id for a in Workbench(db).get("botkyrka-2003").plan("2")] == ["2.a"]
    assert "2.b" not in run("actions", "botkyrka-2003", "--db", db).stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("action", "add", "botkyrka-2003", "9", "x"), "kompass: no area '9' in kommunkompassen-2003"),
        (("action", "add", "botkyrka-2003", "2", "x", "--due", "2004-02-30"), "kompass: '2004-02-30' is not a date"),
        (("action", "set", "botkyrka-2003", "2.a", "--status", "finished"), "kompass: unknown status 'finished'"),
        (("--lang", "sv", "action", "set", "botkyrka-2003", "2.a", "--status", "x"), "kompass: okänd status 'x'"),
        (("action", "set", "botkyrka-2003", "2.q", "--status", "done"), "kompass: botkyrka-2003 has no action '2.q'"),
        (("action", "set", "botkyrka-2003", "2.a"), "kompass: say what to change"),
        (
            ("action", "add", "botkyrka-2003", "2", "x", "--improvement", "5"),
            "kompass: area 2 has 2 improvement areas; give --improvement from 1 to 2",
        ),
        (("actions", "botkyrka-2003", "--status", "late"), "kompass: unknown status 'late'"),
        (("actions", "botkyrka-2003", "--area", "12"), "kompass: no area '12'"),
    ],
)
def test_bad_input_is_one_line_and_nothing_is_written(db, args, message):
    before = snapshot_files(db / "evaluations")
    result = run(*args, "--db", db, code=1)
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert snapshot_files(db / "evaluations") == before


def test_followup_for_the_consensus_meeting(tmp_path):
    db = tmp_path / "db"
    reevaluation(Workbench(db))
    out = run("followup", "botkyrka-2008", "--lang", "sv", "--db", db).stdout.splitlines()
    assert out[0] == "Uppföljning av handlingsplanen från 2003 (Botkyrka 2003, botkyrka-2003)"
    assert (
        "Område 2 Tillgänglighet och medborgar-/brukarorientering: +6,5 sedan 2003 · 1 av 2 åtgärder klara · 1 försenad"
        in out
    )
    assert "  2.a ● klar  Publicera enheternas åtaganden — Kommunledningskontoret, klart senast 2004-06-30" in out
    assert "Område 7 Verksamhetsutveckling: −3 sedan 2003 · 1 av 1 åtgärd klar" in out
    english = run("followup", "botkyrka-2008", "--lang", "en", "--db", db).stdout
    assert "Area 2 Accessibility and citizen/user orientation: +6.5 since 2003 · 1 of 2 actions done" in english
    first = run("followup", "botkyrka-2003", "--db", db).stdout
    assert first.strip() == "Botkyrka 2003 has no earlier evaluation to follow up."


def test_hostile_titles_are_shown_as_text(db):
    added = run(
        "action",
        "add",
        "botkyrka-2003",
        "3",
        "\x1b[31mRöd\x1b[0m [bold]fet[/] =1+1",
        "--owner",
        "\x1b]0;titel\x07KLK",
        "--db",
        db,
    )
    assert "removed 2 control characters from the title" in added.stderr  # (said, as for notes)
    assert "removed 2 control characters from the owner" in added.stderr
    out = run("actions", "botkyrka-2003", "--area", "3", "--db", db).stdout
    assert "\x1b" not in out and "\x07" not in out
    assert "[bold]fet[/] =1+1" in out


def test_show_says_how_the_action_plan_stands(db):
    out = run("--lang", "sv", "show", "botkyrka-2003", "--db", db).stdout
    assert (
        "Handlingsplan: 3 av 6 åtgärder klara · 1 avbruten · 3 försenade (kompass actions botkyrka-2003)"
        in " ".join(out.split()).replace("Handlingsplan:", "Handlingsplan:")
    )
    assert "Handlingsplan" not in run("--lang", "sv", "show", "kalix-2003", "--db", db).stdout
