"""Frameworks of areas only (issue 16): a framework whose areas have no sub-questions takes
area-level results only; anything per sub-question is refused with a message that says why."""

import json

import pytest
from helpers import SEED_AREAS, snapshot_files
from pilot import SIZE, make_app
from typer.testing import CliRunner

from kompass_tui.cli import app
from kompass_tui.core import framework as frameworks
from kompass_tui.core import model
from kompass_tui.errors import CriteriaError, InputError, NotFound
from kompass_tui.service import Workbench

AREAS_ONLY = """\
[framework]
id = "egen-2024"
name = "Egen kompass 2024"
name_en = "Own compass 2024"
language = "sv"
source = "the municipality's own published figures"

[[area]]
id = "1"
name = "Demokrati"
max = 100

[[area]]
id = "2"
name = "Service"
max = 100
"""

runner = CliRunner()


def run(*args, code=0, input=None):
    result = runner.invoke(app, [str(a) for a in args], input=input)
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.fixture
def installed(tmp_path):
    path = tmp_path / "egen-2024.toml"
    path.write_text(AREAS_ONLY, encoding="utf-8")
    run("criteria", "add", path, "--db", tmp_path / "db")
    return tmp_path / "db"


def test_an_area_without_sub_questions_makes_a_framework_of_areas_only(tmp_path):
    fw = frameworks.parse(AREAS_ONLY, tmp_path / "x.toml")
    assert fw.areas_only and fw.questions == () and str(fw.maximum) == "200"
    with pytest.raises(NotFound, match="has areas only"):
        fw.question("1.1")
    mixed = AREAS_ONLY.replace(
        'name = "Service"\nmax = 100\n',
        'name = "Service"\nmax = 100\n[[area.question]]\nid = "2.1"\ntext = "Fråga?"\nmax = 100\n',
    )
    with pytest.raises(CriteriaError, match="give every area its sub-questions, or none"):
        frameworks.parse(mixed, tmp_path / "mixed.toml")


def test_check_list_and_show_say_areas_only(tmp_path, installed):
    path = tmp_path / "egen-2024.toml"
    out = run("criteria", "check", path).stdout
    assert "ok: egen-2024, 2 areas, areas only (no sub-questions: area-level evaluations), 200 points" in out
    assert "egen-2024" in run("criteria", "list").stdout
    assert "Areas only" in run("criteria", "show", "egen-2024", "--lang", "en").stdout


def test_new_with_it_makes_an_area_level_evaluation_and_scores_are_per_area(installed):
    assert (
        run("new", "Håbo", "--year", "2024", "--framework", "egen-2024", "--db", installed).stdout.strip()
        == "habo-2024"
    )
    run("new", "Knivsta", "--year", "2024", "--framework", "egen-2024", "--area-level", "--db", installed)
    bench = Workbench(installed)
    assert bench.get("habo-2024").area_level and bench.get("knivsta-2024").area_level
    run("score", "habo-2024", "1", "63,5", "--db", installed)
    assert str(bench.get("habo-2024").area("1").score) == "63.5"
    before = snapshot_files(installed / "evaluations")
    refused = run("score", "habo-2024", "1.1", "5", "--db", installed, code=1).stderr
    assert "egen-2024 has areas only" in refused and refused.count("\n") == 1
    assert snapshot_files(installed / "evaluations") == before


def test_area_level_results_come_from_a_swedish_excel_csv(tmp_path, installed):
    path = tmp_path / "resultat.csv"
    path.write_bytes("kommun;år;1;2\r\nHåbo;2024;63,5;71\r\nKnivsta;2024;58;66,5\r\n".encode("cp1252"))
    out = run("import", path, "--framework", "egen-2024", "--db", installed).stdout
    assert "habo-2024" in out and "knivsta-2024" in out
    ev = Workbench(installed).get("knivsta-2024")
    assert ev.framework == "egen-2024" and ev.area_level and str(ev.area("2").score) == "66.5"


def test_a_question_level_file_on_it_is_refused_and_a_move_to_it_too(tmp_path, installed):
    bench = Workbench(installed)
    fw = bench.framework("egen-2024")
    ev = model.Evaluation(id="habo-2024", municipality="Håbo", year=2024, framework=fw.id)
    path = tmp_path / "habo.json"
    path.write_text(json.dumps(model.to_document(ev)), encoding="utf-8")
    with pytest.raises(InputError, match="has areas only"):
        bench.import_file(path)
    scored = bench.create("Botkyrka", 2024)  # (kommunkompassen-2003, per sub-question)
    with pytest.raises(InputError, match="egen-2024 has areas only, and botkyrka-2024 is scored per sub-question"):
        bench.edit(scored.id, framework_id="egen-2024")


def test_the_default_framework_for_new_evaluations_comes_from_the_settings(tmp_path, installed, monkeypatch):
    from kompass_tui import paths

    settings = paths.settings_file()
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('framework = "egen-2024"\n', encoding="utf-8")
    settings.chmod(0o600)
    run("new", "Sigtuna", "--year", "2024", "--db", installed)
    assert Workbench(installed).get("sigtuna-2024").framework == "egen-2024"
    settings.unlink()
    run("new", "Sigtuna", "--year", "2025", "--db", installed)  # (the municipality's last round decides first)
    run("new", "Nykvarn", "--year", "2025", "--db", installed)
    assert Workbench(installed).get("nykvarn-2025").framework == "kommunkompassen-2003"


async def test_a_walk_through_of_an_area_level_evaluation_is_refused_with_a_message(demo):
    async with make_app(demo, "kalix-2003").run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        shown = [n.message for n in pilot.app._notifications]
        assert any("Kalix 2003 holds area scores only" in m and "no walk-through" in m for m in shown)
        assert type(pilot.app.screen).__name__ == "OverviewScreen"
    assert str(demo.get("kalix-2003").area("1").score) == "72" and SEED_AREAS  # (nothing changed)


def test_a_comparison_across_framework_versions_is_refused_naming_both(demo, db_path):
    run("new", "Sigtuna", "--year", "2013", "--framework", "kommunkompassen-2010", "--db", db_path)
    refused = run("compare", "sigtuna-2013", "kalix-2003", "--db", db_path, code=1).stderr
    assert "kommunkompassen-2010" in refused and "kommunkompassen-2003" in refused and refused.count("\n") == 1
    swedish = run("--lang", "sv", "compare", "sigtuna-2013", "kalix-2003", "--db", db_path, code=1).stderr
    assert "bara utvärderingar med samma ramverk kan jämföras" in swedish


def test_a_trend_across_versions_shows_totals_only_marked(demo, db_path, tmp_path):
    path = tmp_path / "b13.csv"
    path.write_text("kommun;år;1;2;3;4;5;6;7;8\nBotkyrka;2013;85;80;88;84;79;75;70;90\n", encoding="utf-8")
    run("import", path, "--framework", "kommunkompassen-2010", "--db", db_path)
    chart = run("--lang", "sv", "chart", "botkyrka-2013", "--db", db_path).stdout
    assert "2003‡: 639" in chart and "2013: 651" in chart
    assert "‡ en annan version av ramverket (kommunkompassen-2003): bara totalen" in chart
    report = run("export", "botkyrka-2013", "--lang", "en", "--db", db_path).stdout
    assert "## The total across the rounds" in report and "2003‡: 639" in report
    assert "Change since 2003" not in report  # (areas of another version are not paired)
    later = run("export", "botkyrka-2003", "--lang", "en", "--db", db_path).stdout
    assert "2013‡: 651" in later and "Change since" not in later


def test_a_2020_result_and_the_national_average_from_one_swedish_excel_csv(db_path, tmp_path):
    path = tmp_path / "kkp2020.csv"
    path.write_bytes(
        "kommun;år;1;2;3;4;5;6;7;8;referens\r\n"
        "Huddinge;2020;62;58,5;71;64;69,5;60;66;57;\r\n"
        "Sverigesnitt;2020;55,4;52;60,35;58;61;54,5;59;51;ja\r\n".encode("cp1252")
    )
    run("import", path, "--framework", "kommunkompassen-2020", "--db", db_path)
    out = run("--lang", "sv", "compare", "huddinge-2020", "sverigesnitt-2020", "--db", db_path).stdout
    assert "Skillnad mot Sverigesnitt 2020" in out
    assert "+6,6" in out and "+10,65" in out  # area 1: 62 − 55,4; area 3: 71 − 60,35
    assert "1 Samspel" in out  # the 2020 version's own short names
