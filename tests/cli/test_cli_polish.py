"""The command line without rough edges (issue 14): help on every command, one suggestion per
typo, texts that are added to or cleared only when asked."""

import pytest
from test_cli import run

from kompass_tui.cli import app
from kompass_tui.service import Workbench


def _commands() -> list[list[str]]:
    import typer.main

    group = typer.main.get_command(app)
    names = [[name] for name in group.commands if name != "criteria"]  # type: ignore[attr-defined]
    criteria = group.commands["criteria"]  # type: ignore[attr-defined]
    return names + [["criteria", name] for name in criteria.commands]


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
def test_h_right_after_a_command_name_shows_its_help(command):
    out = run(*command, "-h")
    assert out.stdout.startswith("Usage: ") and f" {command[-1]} " in out.stdout.splitlines()[0]


def test_a_text_that_starts_with_a_dash_is_still_a_text_after_the_other_arguments(db):
    run("summary", "botkyrka-2003", "-h", "--db", db)
    run("strengths", "botkyrka-2003", "2", "- first point", "--db", db)
    ev = Workbench(db).get("botkyrka-2003")
    assert ev.summary == "-h" and ev.area("2").strengths == "- first point"


def test_append_adds_a_line_and_an_empty_text_clears_only_when_asked(db):
    run("strengths", "botkyrka-2003", "2", "- one", "--db", db)
    out = run("strengths", "botkyrka-2003", "2", "- two", "--append", "--db", db)
    assert out.stdout == "botkyrka-2003 area 2: strengths added to\n"
    assert Workbench(db).get("botkyrka-2003").area("2").strengths == "- one\n- two"
    run("challenges", "botkyrka-2003", "Slut", "--db", db)
    run("challenges", "botkyrka-2003", "gott", "--append", "--db", db)
    assert Workbench(db).get("botkyrka-2003").challenges == "Slut\ngott"

    out = run("strengths", "botkyrka-2003", "2", "", "--db", db, code=1)  # not a terminal: no question
    assert (
        "the text is empty: nothing changed; to clear the strengths of botkyrka-2003 area 2, use --clear" in out.stderr
    )
    out = run("summary", "botkyrka-2003", "--db", db, code=1)
    assert "give the text ('-' reads it from standard input), or --clear" in out.stderr
    assert Workbench(db).get("botkyrka-2003").area("2").strengths == "- one\n- two"
    run("strengths", "botkyrka-2003", "2", "x", "--clear", "--db", db, code=1)

    out = run("strengths", "botkyrka-2003", "2", "--clear", "--db", db)
    assert out.stdout == "botkyrka-2003 area 2: strengths cleared\n"
    assert Workbench(db).get("botkyrka-2003").area("2").strengths == ""


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["show", "botkyrka-2030"], "no evaluation 'botkyrka-2030' in"),
        (["score", "botkrka-2003", "2.4", "5"], "(did you mean botkyrka-2003?)"),
        (["show", "vasteraas-2003"], "(did you mean vasteras-2003?)"),
        (["score", "botkyrka-2003", "2,4", "5"], "no sub-question '2,4' in kommunkompassen-2003 (did you mean 2.4?)"),
        (["score", "botkyrka-2003", "24", "5"], "(did you mean 2.4?)"),
        (["scor", "botkyrka-2003"], "No such command 'scor'. Did you mean 'score'?"),
        (["criteria", "chek"], "No such command 'chek'. Did you mean 'check'?"),
    ],
)
def test_one_suggestion_per_typo_for_commands_ids_and_sub_questions(db, args, said):
    out = run(*args, "--db", db, code=2 if args[0] in ("scor", "criteria") else 1)
    assert said in out.stderr and out.stderr.count("id you mean") <= 1


def test_swedish_words_for_headers_messages_refusals_and_sources(db, monkeypatch):
    monkeypatch.setenv("KOMPASS_LANG", "sv")
    listed = run("criteria", "list").stdout.splitlines()[0].split()
    assert listed == ["Id", "Namn", "Områden", "Delfrågor", "Poäng", "Installerat"]
    assert "inbyggt:" in run("criteria", "show", "kommunkompassen-2003").stdout
    out = run("score", "botkyrka-2003", "2.4", "5", "-s", "intervju", "-s", "webb", "--as", "Lena Langlet", "--db", db)
    assert Workbench(db).get("botkyrka-2003").answer("2.4").entry("Lena Langlet").sources == ("interview", "website")
    out = run("strengths", "botkyrka-2003", "2", "- ett", "--append", "--db", db)
    assert out.stdout == "botkyrka-2003 område 2: styrkor: tillagt\n"
    for args, said in (
        (["show", "botkyrka-2030"], "ingen utvärdering 'botkyrka-2030' i"),
        (["score", "botkyrka-2003", "2,4", "5"], "ingen delfråga '2,4' i kommunkompassen-2003 (menade du 2.4?)"),
        (["score", "botkyrka-2003", "2.4", "abc"], "'abc' är inget tal"),
        (["score", "botkyrka-2003", "2.4", "25"], "25 är inte tillåtet; ange 0 till 20 i steg om 0,5"),
        (["strengths", "botkyrka-2003", "2", ""], "texten är tom: inget ändrades; använd --clear"),
    ):
        out = run(*args, "--db", db, code=1)
        assert out.stderr.startswith("kompass: ") and said in out.stderr, out.stderr
    out = run("show", "botkyrka-2030", "--lang", "en", "--db", db, code=1)  # --lang on the command decides
    assert "no evaluation 'botkyrka-2030'" in out.stderr


def test_list_and_a_comparison_of_six_fit_80_columns_with_ids_whole(db, monkeypatch):
    from rich.cells import cell_len

    monkeypatch.setenv("COLUMNS", "80")
    run("new", "Upplands Väsby", "--year", "2026", "--db", db)
    run("new", "Sundbyberg", "--year", "2003", "--db", db)
    listed = run("list", "--lang", "sv", "--db", db).stdout.splitlines()
    assert any(line.startswith("upplands-vasby-2026 ") for line in listed)
    assert all(cell_len(line) <= 80 for line in listed)
    six = ["botkyrka-2003", "kalix-2003", "nacka-2003", "sundbyberg-2003", "trollhattan-2003", "vasteras-2003"]
    out = run("compare", *six, "--db", db).stdout.splitlines()
    table = out[: out.index("")]
    assert all(cell_len(line) <= 80 for line in table), table
    assert table[0].split()[-2:] == ["Total", "±"] and len(table) == 1 + 6 + 1  # header, six, the average


def test_show_questions_wraps_a_sub_question_under_itself(db, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    lines = run("show", "botkyrka-2003", "-q", "--db", db).stdout.splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("  2.1 "))
    assert lines[at + 1].startswith("  of administration?")


def test_the_settings_file_is_where_platformdirs_puts_it_when_kompass_home_is_not_set(monkeypatch):
    import platformdirs

    from kompass_tui.paths import settings_file

    monkeypatch.delenv("KOMPASS_HOME")
    assert settings_file() == platformdirs.user_config_path("kompass", appauthor=False) / "settings.toml"


def test_a_run_builds_only_the_command_it_asks_for():
    from kompass_tui.cli.main import app, asked_for, only

    assert asked_for(["--db", "x", "--lang", "sv", "--quiet", "list", "--help"]) == "list"
    assert asked_for(["--help", "list"]) is None and asked_for(["--as", "Anna"]) is None
    assert [c.name for c in only("list").registered_commands] == ["list"] and not only("list").registered_groups
    assert [g.name for g in only("sync").registered_groups] == ["sync"] and not only("sync").registered_commands
    assert only("lst") is app and only(None) is app  # a typo's suggestion needs every name
    assert len(app.registered_commands) > 20  # (the app itself is left whole)
