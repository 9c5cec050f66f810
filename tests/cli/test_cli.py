import json
import stat

from helpers import MINI_FRAMEWORK
from typer.testing import CliRunner

from kompass_tui.cli import app
from kompass_tui.service import Workbench

runner = CliRunner()


def run(*args, input=None, code=0):
    result = runner.invoke(app, [str(a) for a in args], input=input)
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_done_when_the_swedish_report_with_comparison_matches_the_seed(db):
    out = run(
        "export",
        "botkyrka-2003",
        "--compare",
        "kalix-2003",
        "nacka-2003",
        "vasteras-2003",
        "trollhattan-2003",
        "--lang",
        "sv",
        "--db",
        db,
    ).stdout
    for area_row in (
        "| 83 | 100 |",
        "| 76,5 | 100 |",
        "| 89,5 | 100 |",
        "| 81,5 | 100 |",
        "| 76 | 100 |",
        "| 72,5 | 100 |",
        "| 67 | 100 |",
        "| 93 | 100 |",
        "| **Totalt** | **639** | **800** |",
    ):
        assert area_row in out
    assert "| **Totalt** | **639** | 408 | 525 | 522,5 | 619 | 542,7 |" in out
    assert "| Placering | 1 | 5 | 3 | 4 | 2 |  |" in out
    assert "| 4.1 Vilken frihet har institutionerna/resultat enheterna i sin resursdisponering? | 25,5 | 30 |" in out


def test_demo_twice_keeps_what_is_there(db):
    run("consensus", "botkyrka-2003", "1.1", "40", "--db", db)
    assert "already loaded" in run("demo", "--db", db, "--no-open").stdout
    assert "| 89 | 100 |" in run("export", "botkyrka-2003", "--db", db).stdout


def test_new_score_show_and_list(tmp_path):
    db = tmp_path / "x"
    assert run("new", "Västerås", "--year", "2010", "-e", "Anna", "-e", "Bo", "--db", db).stdout == "vasteras-2010\n"
    twice = run("new", "västerås", "--year", "2010", "--db", db, code=1).stderr
    assert "Västerås 2010 is there already (vasteras-2010); --again makes a second one" in twice
    assert run("new", "Västerås", "--year", "2010", "--again", "--db", db).stdout == "vasteras-2010-2\n"
    assert (
        run(
            "score", "vasteras-2010", "2.1", "9,5", "--note", "Intervju", "-s", "interview", "--as", "Anna", "--db", db
        ).stdout
        == "vasteras-2010 2.1 = 9.5 (Anna)\n"
    )
    run("--as", "Anna", "score", "vasteras-2010", "2.2", "3.5", "--db", db)
    shown = run("show", "vasteras-2010", "--db", db, "--lang", "sv").stdout
    assert "2 Tillgänglighet och medborgar-/brukarorientering" in shown and "13" in shown and "2/37" in shown
    assert "Anna, Bo" in shown
    listed = run("list", "--db", db).stdout
    assert "vasteras-2010 " in listed and "2/37" in listed and "13" in listed


def test_texts_from_arguments_and_standard_input(db):
    run("strengths", "botkyrka-2003", "5", "Controller", "--db", db)
    run("improvements", "botkyrka-2003", "5", "-", "--db", db, input="- Avvikelser\n- Projektresurser\n")
    run("summary", "botkyrka-2003", "Kort.", "--db", db)
    run("challenges", "botkyrka-2003", "- Chefsforum", "--db", db)
    out = run("export", "botkyrka-2003", "--db", db, "--lang", "sv").stdout
    assert "**Styrkor**\n\nController" in out and "- Avvikelser\n- Projektresurser" in out
    assert "## Sammanfattning\n\nKort." in out and "- Chefsforum" in out


def test_database_from_environment_and_from_the_root_option(tmp_path, monkeypatch):
    monkeypatch.setenv("KOMPASS_DB", str(tmp_path / "env"))
    run("new", "Nacka", "--year", "2003")
    assert "nacka-2003" in run("list").stdout
    assert str(tmp_path / "env") in run("locate").stdout
    run("--db", tmp_path / "root", "new", "Kalix", "--year", "2003")
    assert "kalix-2003" in run("--db", tmp_path / "root", "list").stdout


def test_locate_prints_the_paths(isolated_home):
    out = run("locate").stdout
    assert f"database:             {isolated_home / 'db'}" in out
    assert str(isolated_home / "criteria") in out and "kommunkompassen" not in out


def test_export_to_a_file_is_owner_only_and_csv_for_swedish_excel_has_a_bom(db, tmp_path):
    out = tmp_path / "botkyrka.csv"
    run("export", "botkyrka-2003", "-F", "csv", "--lang", "sv", "-o", out, "--db", db)
    assert out.read_bytes().startswith("\ufeffdelfråga;poäng;anteckning;källor\n".encode())
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_json_export_and_import_round_trip_exactly(db, tmp_path):
    first = run("export", "botkyrka-2003", "-F", "json", "--db", db).stdout
    path = tmp_path / "b.json"
    path.write_text(first, encoding="utf-8")
    run("delete", "botkyrka-2003", "--yes", "--db", db)
    assert run("import", path, "--db", db).stdout == "imported botkyrka-2003\n"
    assert run("export", "botkyrka-2003", "-F", "json", "--db", db).stdout == first
    assert run("import", path, "--db", db).stdout == "imported botkyrka-2003-2\n"
    again = json.loads(run("export", "botkyrka-2003-2", "-F", "json", "--db", db).stdout)
    assert again["evaluation"]["questions"] == json.loads(first)["evaluation"]["questions"]


def test_delete_asks_first(db):
    run("delete", "nacka-2003", "--db", db, input="n\n", code=1)
    assert "nacka-2003" in run("list", "--db", db).stdout
    run("delete", "nacka-2003", "--db", db, input="y\n")
    assert "nacka-2003" not in run("list", "--db", db).stdout


def test_criteria_commands(tmp_path):
    listed = run("criteria", "list").stdout
    assert "kommunkompassen-2003" in listed and "37" in listed and "800" in listed
    shown = run("criteria", "show", "kommunkompassen-2003", "--lang", "sv").stdout
    assert "2.4" in shown and "Genomförs brukar-/medborgarundersökningar?" in shown and "rekonstruerade" in shown
    good = tmp_path / "ok.toml"
    good.write_text(MINI_FRAMEWORK, encoding="utf-8")
    assert "ok: mini, 1 areas, 1 sub-questions, 2 points" in run("criteria", "check", good).stdout
    run("criteria", "add", good)
    assert "mini" in run("criteria", "list").stdout
    bad = tmp_path / "bad.toml"
    bad.write_text(
        good.read_text(encoding="utf-8").replace("max = 2\n[[area.question]]", "max = 3\n[[area.question]]"),
        encoding="utf-8",
    )
    result = run("criteria", "check", bad, code=1)
    assert result.stderr.startswith(f"kompass: {bad}: area 1, field 'max': expected the sub-question maxima to sum")
    evaluation = run("new", "Ort", "--year", "2020", "--framework", "mini", "--db", tmp_path / "m").stdout.strip()
    assert (
        run("score", evaluation, "1.1", "1,5", "--as", "Bo", "--db", tmp_path / "m").stdout
        == "ort-2020 1.1 = 1.5 (Bo)\n"
    )


def test_bare_kompass_and_help_teach():
    assert "kompass demo" in run().stdout
    help_text = run("--help").stdout
    for command in ("demo", "new", "list", "show", "score", "import", "export", "criteria", "locate"):
        assert command in help_text
    assert "--compare" in run("export", "--help").stdout


def test_compare_prints_the_seeds_table_with_average_and_ranks(db):
    out = run(
        "compare",
        "kalix-2003",
        "botkyrka-2003",
        "nacka-2003",
        "vasteras-2003",
        "trollhattan-2003",
        "--lang",
        "sv",
        "--chart",
        "--db",
        db,
    ).stdout
    lines = {
        line.split()[0] + (" " + line.split()[1] if line[0].isdigit() else ""): line.split()[-6:]
        for line in out.split("* radens")[0].splitlines()
        if line.strip() and (line[0].isdigit() or line.startswith(("Totalt", "Placering")))
    }
    assert lines["1 Offentlighet"] == ["72", "83*", "66", "54", "68", "68,6"]
    assert lines["Totalt"] == ["408", "639*", "525", "522,5", "619", "542,7"]
    assert out.split("Placering")[1].split()[:5] == ["5", "1", "3", "4", "2"]
    assert "1 Offentlighet och demokratisk kontroll" in out and "  Trollhättan" in out  # the chart


def test_a_large_comparison_is_one_municipality_a_row_by_rank_and_draws_no_chart(db, monkeypatch):
    from kompass_tui.exchange import tables

    monkeypatch.setattr(tables, "WIDE", 2)  # as hundreds of municipalities are
    ids = ["kalix-2003", "botkyrka-2003", "nacka-2003", "vasteras-2003", "trollhattan-2003"]
    result = run("compare", *ids, "--chart", "--db", db)
    lines = result.stdout.splitlines()
    assert lines[1].split()[:2] == ["1", "Botkyrka"] and lines[1].split()[-1] == "639*"
    assert [line.split()[1] for line in lines[1:6]] == ["Botkyrka", "Trollhättan", "Nacka", "Västerås", "Kalix"]
    assert lines[6].split()[0] == "Average"
    assert "the chart shows up to 2 evaluations" in result.stderr


def test_compare_refuses_mixed_frameworks_and_unknown_ids(db, tmp_path):
    mini = tmp_path / "mini.toml"
    mini.write_text(MINI_FRAMEWORK, encoding="utf-8")
    run("criteria", "add", mini)
    run("new", "Ort", "--year", "2020", "--framework", "mini", "--db", db)
    result = run("compare", "botkyrka-2003", "ort-2020", "--db", db, code=1)
    assert "only evaluations of one framework can be compared" in result.stderr and result.stderr.count("\n") == 1
    assert "no evaluation 'nowhere-1'" in run("compare", "botkyrka-2003", "nowhere-1", "--db", db, code=1).stderr


def test_chart_prints_the_profile(db):
    out = run("chart", "botkyrka-2003", "--lang", "sv", "--db", db).stdout
    assert "2 Tillgänglighet 76,5┤" in out and "8 Samhälle 93┤" in out


def test_a_note_read_from_standard_input_is_read_before_the_database_is_locked(db):
    import fcntl
    import io

    held = []

    class Typing(io.BytesIO):
        """Standard input that notes whether another session could save while it is read."""

        def read(self, *args):
            with open(db / ".lock", "a") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    fcntl.flock(lock, fcntl.LOCK_UN)
                except BlockingIOError:
                    held.append(True)
            return super().read(*args)

    run(
        "score",
        "botkyrka-2003",
        "2.1",
        "9",
        "--note",
        "-",
        "--as",
        "Lena",
        "--db",
        db,
        input=Typing("Brukarenkät varje år".encode()),
    )
    assert held == []
    assert Workbench(db).get("botkyrka-2003").answer("2.1").entry("Lena").note == "Brukarenkät varje år"


def test_a_reevaluation_reports_the_change_and_the_trend(db):
    run("new", "Botkyrka", "--year", "2008", "--db", db)
    for qid, score in (("1.1", "38"), ("1.2", "36"), ("1.3", "13"), ("8.1", "40")):
        run("score", "botkyrka-2008", qid, score, "--db", db)
    out = run("export", "botkyrka-2008", "--lang", "sv", "--db", db).stdout
    assert "## Förändring sedan 2003" in out
    assert "| 1 Offentlighet och demokratisk kontroll | 83 | 87 | +4 |" in out
    assert "| 2 Tillgänglighet och medborgar-/brukarorientering | 76,5 | – | – |" in out
    assert "| **Totalt** | **639** | **127** | **–** |" in out  # 2008 is not wholly scored: no change in total
    assert "2003: 639" in out and "2008: 127†" in out  # the unfinished round marked in the trend
    assert "| 8 Kommunen som samhällsbyggare | 40 (1/4) | 100 |" in out and "| **Totalt** | **127 (4/37)** |" in out
    assert "| 1 Offentlighet och demokratisk kontroll | 87 | 100 |" in out  # wholly scored: as it is
    compared = run("compare", "botkyrka-2008", "kalix-2003", "--lang", "sv", "--db", db).stdout
    assert "87 (+4)" in compared and "(Botkyrka 2008 sedan 2003)" in compared
    assert "2008: 127" in run("chart", "botkyrka-2008", "--db", db).stdout


def test_a_comparison_refuses_the_exported_evaluation_itself_and_ids_given_twice(db):
    before = sorted(p.name for p in db.rglob("*"))
    out = run("export", "botkyrka-2003", "--compare", "botkyrka-2003", "kalix-2003", "--db", db, code=1)
    assert out.stderr.strip() == "kompass: botkyrka-2003 is the evaluation being exported; compare it with others"
    out = run("export", "botkyrka-2003", "--compare", "kalix-2003", "nacka-2003", "kalix-2003", "--db", db, code=1)
    assert out.stderr.strip() == "kompass: kalix-2003 is given twice; compare each evaluation once"
    out = run("compare", "kalix-2003", "nacka-2003", "kalix-2003", "nacka-2003", "--db", db, code=1)
    assert out.stderr.strip() == "kompass: kalix-2003, nacka-2003 are given twice; compare each evaluation once"
    assert sorted(p.name for p in db.rglob("*")) == before


def test_a_name_typed_in_another_case_or_with_accents_is_the_team_member_and_the_team_can_be_changed(tmp_path):
    db = tmp_path / "team"
    run("new", "Botkyrka", "--year", "2026", "-e", "Anna Berg", "-e", "Åsa Lind", "--db", db)
    assert run("score", "botkyrka-2026", "1.1", "30", "--as", "anna berg", "--db", db).stdout.strip() == (
        "botkyrka-2026 1.1 = 30 (Anna Berg)"
    )
    run("score", "botkyrka-2026", "1.2", "20", "--as", "ASA LIND", "--db", db)
    before = Workbench(db).get("botkyrka-2026")
    refused = run("score", "botkyrka-2026", "1.3", "10", "--as", "root", "--db", db, code=1)
    assert refused.stderr.strip() == (
        "kompass: root is not on the team of botkyrka-2026 (Anna Berg, Åsa Lind); score as one of them "
        '(--as NAME), or join with: kompass team botkyrka-2026 add "root"'
    )
    assert Workbench(db).get("botkyrka-2026") == before
    run("team", "botkyrka-2026", "add", "root", "--db", db)
    run("score", "botkyrka-2026", "1.3", "10", "--as", "root", "--db", db)
    listed = run("team", "botkyrka-2026", "--db", db).stdout.splitlines()
    assert listed == [
        "Anna Berg  (1 sub-question scored or noted)",
        "Åsa Lind  (1 sub-question scored or noted)",
        "root  (1 sub-question scored or noted)",
    ]
    refused = run("team", "botkyrka-2026", "remove", "root", "--db", db, code=1)
    assert "root has entries on 1 sub-question of botkyrka-2026; --force removes them with root" in refused.stderr
    run("team", "botkyrka-2026", "rename", "ROOT", "Omar Said", "--db", db)
    ev = Workbench(db).get("botkyrka-2026")
    assert ev.evaluators == ("Anna Berg", "Åsa Lind", "Omar Said") and ev.answer("1.3").entry("Omar Said").score == 10
    assert (
        "is on the team of botkyrka-2026 already"
        in run("team", "botkyrka-2026", "add", "anna BERG", "--db", db, code=1).stderr
    )
    run("team", "botkyrka-2026", "remove", "omar said", "--force", "--db", db)
    ev = Workbench(db).get("botkyrka-2026")
    assert ev.evaluators == ("Anna Berg", "Åsa Lind") and ev.answer("1.3").entries == {}


def test_edit_changes_the_details_and_keeps_the_id(tmp_path):
    db = tmp_path / "edit"
    run("new", "Botkyrka", "--year", "2026", "--db", db)
    out = run(
        "edit",
        "botkyrka-2026",
        "--year",
        "2025",
        "--start",
        "2025-05-04",
        "--municipality",
        "Botkyrka kommun",
        "--db",
        db,
    )
    assert out.stdout.strip() == "botkyrka-2026: Botkyrka kommun 2025, kommunkompassen-2003, 2025-05-04"
    before = sorted(p.name for p in db.rglob("*.json"))
    assert "is not a date" in run("edit", "botkyrka-2026", "--end", "2025-13-01", "--db", db, code=1).stderr
    assert "is not installed" in run("edit", "botkyrka-2026", "--framework", "nope", "--db", db, code=1).stderr
    assert sorted(p.name for p in db.rglob("*.json")) == before
    assert Workbench(db).get("botkyrka-2026").year == 2025


def test_without_a_team_whoever_scores_joins_and_is_told_so(tmp_path):
    db = tmp_path / "open"
    run("new", "Nacka", "--year", "2026", "--db", db)
    joined = run("score", "nacka-2026", "1.1", "10", "--as", "Anna Berg", "--db", db)
    assert "Anna Berg joins the team of nacka-2026, now Anna Berg" in joined.stderr
    run("score", "nacka-2026", "1.2", "10", "--as", "Omar Said", "--db", db)
    assert Workbench(db).get("nacka-2026").evaluators == ("Anna Berg", "Omar Said")
    run("team", "nacka-2026", "add", "Lena Langlet", "--db", db)  # from now on the team is set
    assert "is not on the team" in run("score", "nacka-2026", "1.3", "5", "--as", "root", "--db", db, code=1).stderr


def test_a_typo_gets_one_suggestion(tmp_path):
    assert run("scor", code=2).stderr.strip().endswith("Error: No such command 'scor'. Did you mean 'score'?")
    assert run("criteria", "chek", code=2).stderr.strip().endswith("No such command 'chek'. Did you mean 'check'?")


def test_evaluations_are_listed_in_swedish_alphabetical_order(tmp_path):
    db = tmp_path / "order"
    for name in ("Örebro", "Åre", "Zinkgruvan", "Älmhult", "Avesta", "Ängelholm", "Håbo", "Habo", "Hörby"):
        run("new", name, "--year", "2026", "--db", db)
    listed = [line.split("  ")[0].strip() for line in run("list", "--db", db).stdout.splitlines()[1:]]
    names = [Workbench(db).get(eid).municipality for eid in listed]
    assert names == ["Avesta", "Habo", "Håbo", "Hörby", "Zinkgruvan", "Åre", "Älmhult", "Ängelholm", "Örebro"]


def test_one_is_singular_in_both_languages(tmp_path):
    from kompass_tui.i18n import t

    assert [t("en", "n_evaluations", n=n) for n in (0, 1, 2)] == ["0 evaluations", "1 evaluation", "2 evaluations"]
    assert [t("sv", "n_evaluations", n=n) for n in (1, 2)] == ["1 utvärdering", "2 utvärderingar"]
    db = tmp_path / "one"
    run("new", "Nacka", "--year", "2026", "-e", "Anna", "-e", "Bo", "--db", db)
    run("score", "nacka-2026", "1.1", "10", "--as", "Anna", "--db", db)
    run("score", "nacka-2026", "1.1", "12", "--as", "Bo", "--db", db)
    out = run("disagreements", "nacka-2026", "--lang", "sv", "--db", db).stdout
    assert "Nacka 2026: 1 delfråga där utvärderarna skiljer sig" in out
    assert "1 sub-question to decide" in " ".join(run("show", "nacka-2026", "--db", db).stdout.split())


def test_edit_moves_to_another_framework_only_where_every_score_fits(tmp_path):
    from helpers import MINI_FRAMEWORK

    db = tmp_path / "fw"
    mini = tmp_path / "mini.toml"
    mini.write_text(MINI_FRAMEWORK, encoding="utf-8")
    run("criteria", "add", mini, "--db", db)
    run("new", "Arboga", "--year", "2026", "--db", db)
    run("score", "arboga-2026", "1.1", "2", "--as", "Anna", "--db", db)
    assert (
        run("edit", "arboga-2026", "--framework", "mini", "--db", db).stdout.strip() == "arboga-2026: Arboga 2026, mini"
    )
    run("new", "Kalix", "--year", "2026", "--db", db)
    run("score", "kalix-2026", "1.1", "30", "--as", "Anna", "--db", db)
    refused = run("edit", "kalix-2026", "--framework", "mini", "--db", db, code=1).stderr
    assert "kalix-2026 holds scores that do not fit mini" in refused and "nothing was changed" in refused
    assert Workbench(db).get("kalix-2026").framework == "kommunkompassen-2003"


def test_delete_says_what_it_did_and_did_not_do(db):
    for answer in ("n\n", ""):  # no, and no answer at all (end of input)
        refused = run("delete", "kalix-2003", "--db", db, input=answer, code=1)
        assert "nothing deleted: kalix-2003 is as it was (--yes deletes without asking)" in refused.stderr
        assert Workbench(db).get("kalix-2003").title == "Kalix 2003"
    done = run("delete", "kalix-2003", "--yes", "--db", db)
    assert done.stdout.strip() == "deleted kalix-2003; kompass restore kalix-2003 brings it back"
