"""The framework files Kompass ships (criteria/*.toml): the 2003 framework with its sub-questions,
and the later versions as frameworks of areas only, with the area names of their sources; and the
area-only example in criteria/README.md, which a user must be able to check and install."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kompass_tui import paths
from kompass_tui.cli import app
from kompass_tui.core.framework import Framework
from kompass_tui.store import criteria

runner = CliRunner()
README = Path(__file__).resolve().parents[2] / "criteria" / "README.md"

# id: [(area name in the file's language, English name or None where the file leaves it out)]
AREAS_ONLY: dict[str, list[tuple[str, str | None]]] = {
    "kommunkompassen-2010": [
        ("Offentlighet och demokrati", "Public access and democracy"),
        ("Tillgänglighet och brukarorientering", "Accessibility and user orientation"),
        ("Politisk styrning och kontroll", "Political governance and control"),
        ("Ledarskap, ansvar och delegation", "Leadership, responsibility and delegation"),
        ("Resultat och effektivitet", "Results and efficiency"),
        ("Kommunen som arbetsgivare – personalpolitik", "The municipality as employer – personnel policy"),
        ("Verksamhetsutveckling", "Development of services"),
        ("Kommunen som samhällsbyggare", "The municipality as community builder"),
    ],
    "kommunkompassen-2016": [
        ("Offentlighet och demokrati", "Public access and democracy"),
        ("Brukarfokus, tillgänglighet och bemötande", None),
        ("Politisk styrning och kontroll", "Political governance and control"),
        ("Ledarskap, ansvar och delegation", "Leadership, responsibility and delegation"),
        ("Resultat och effektivitet", "Results and efficiency"),
        ("Kommunen som arbetsgivare – personalpolitik", "The municipality as employer – personnel policy"),
        ("Ständiga förbättringar", "Continuous improvement"),
        ("Kommunen som samhällsbyggare", "The municipality as community builder"),
    ],
    "kommunkompassen-2020": [
        ("Samspel mellan förtroendevalda och medborgare", "Interaction between elected representatives and citizens"),
        ("Samhällsutveckling", "Community development"),
        ("Styrning och kontroll", "Governance and control"),
        ("Effektivitet", "Efficiency"),
        ("Brukarens fokus", "User focus"),
        ("Kvalitetsutveckling", "Quality development"),
        ("Arbetsliv", "Working life"),
        ("Chefs- och ledarskap samt medarbetarskap", "Management, leadership and employeeship"),
    ],
    "kommunekompasset-2010": [
        ("Offentlighet og demokrati", "Public access and democracy"),
        ("Tilgjengelighet, innbygger- og brukerorientering", "Accessibility, citizen and user orientation"),
        ("Politisk styring og kontroll", "Political governance and control"),
        ("Lederskap, ansvar og delegasjon", "Leadership, responsibility and delegation"),
        ("Resultatfokus og effektivitet", "Focus on results and efficiency"),
        ("Kommunen som arbeidsgiver", "The municipality as employer"),
        ("Utviklingsstrategi og lærende organisasjon", "Development strategy and learning organisation"),
        ("Kommunen som samfunnsutvikler", "The municipality as community developer"),
    ],
}
LANGUAGE = {
    "kommunkompassen-2010": "sv",
    "kommunkompassen-2016": "sv",
    "kommunkompassen-2020": "sv",
    "kommunekompasset-2010": "nb",
}
SHIPPED = ["kommunkompassen-2003", *AREAS_ONLY]


def run(*args: object, code: int = 0):
    result = runner.invoke(app, [str(a) for a in args])
    output = result.stdout + result.stderr
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    assert "Traceback" not in output
    return result


def shipped(framework_id: str) -> Framework:
    """The bundled file of this id, read as it ships (not a user's copy)."""
    return criteria.load(paths.bundled_criteria_dir() / f"{framework_id}.toml", "bundled")


def readme_block(language: str, must_contain: str) -> str:
    """The one fenced block of this language in criteria/README.md that contains must_contain."""
    blocks = re.findall(rf"^```{language}\n(.*?)^```", README.read_text(encoding="utf-8"), re.S | re.M)
    found = [b for b in blocks if must_contain in b]
    assert len(found) == 1, f"expected one ```{language} block with {must_contain!r} in {README}, found {len(found)}"
    return found[0]


def test_every_shipped_file_is_one_of_the_five_known_ones():
    files = sorted(p.stem for p in paths.bundled_criteria_dir().glob("*.toml"))
    assert files == sorted(SHIPPED)


@pytest.mark.parametrize("framework_id", SHIPPED)
def test_every_shipped_framework_has_eight_areas_of_100_with_shorts(framework_id):
    fw = shipped(framework_id)
    assert fw.id == framework_id
    assert [a.id for a in fw.areas] == [str(i) for i in range(1, 9)]
    assert all(a.maximum == 100 for a in fw.areas)
    assert fw.maximum == Decimal(800)
    for area in fw.areas:
        assert area.shorts.get(fw.language), f"{framework_id} area {area.id}: no short name"
        assert area.shorts.get("en"), f"{framework_id} area {area.id}: no English short name"
        assert len(area.shorts[fw.language]) <= 16 and len(area.shorts["en"]) <= 16  # fits a chart's label


@pytest.mark.parametrize("framework_id", list(AREAS_ONLY))
def test_the_later_versions_are_areas_only_with_their_sources_area_names(framework_id):
    fw = shipped(framework_id)
    assert fw.questions == ()
    assert fw.language == LANGUAGE[framework_id]
    assert [a.names[fw.language] for a in fw.areas] == [name for name, _ in AREAS_ONLY[framework_id]]
    assert [a.names.get("en") for a in fw.areas] == [english for _, english in AREAS_ONLY[framework_id]]
    # where the English is left out, English falls back to the file's own language
    for area, (name, english) in zip(fw.areas, AREAS_ONLY[framework_id], strict=True):
        assert area.name("en") == (english or name)
    # the file says what it holds, and that the sub-questions are missing, in its language and English
    for key in ("source", "description", "description_en", "maxima_note", "maxima_note_en"):
        assert fw.info.get(key), f"{framework_id}: no {key}"
    assert "--replace" in fw.info["description"] and "--replace" in fw.info["description_en"]
    assert "sub-questions are not included" in fw.info["description_en"]
    assert fw.name("en").startswith("Municipal Compass")


def test_the_2020_description_names_skrs_four_themes():
    fw = shipped("kommunkompassen-2020")
    for theme in ("Demokrati och samhällsutveckling", "Styrning och effektivitet", "Service och kvalitet"):
        assert theme in fw.info["description"]
    assert "Arbetsgivarpolitik" in fw.info["description"]


def test_the_norwegian_framework_shows_its_own_names_where_swedish_is_missing():
    fw = shipped("kommunekompasset-2010")
    assert fw.language == "nb"
    assert fw.name("sv") == "Kommunekompasset 2010"
    assert [a.name("sv") for a in fw.areas] == [name for name, _ in AREAS_ONLY["kommunekompasset-2010"]]
    assert fw.areas[0].short("sv") == "Offentlighet"
    shown = run("criteria", "show", "kommunekompasset-2010", "--lang", "sv").stdout
    assert "Tilgjengelighet, innbygger- og brukerorientering" in shown
    assert "Kommunen som samfunnsutvikler" in shown


def test_criteria_list_lists_all_five():
    result = run("criteria", "list")
    assert "skipped" not in result.stderr
    for framework_id in SHIPPED:
        assert framework_id in result.stdout
    assert {f.id for f in criteria.installed()} == set(SHIPPED)


@pytest.mark.parametrize("framework_id", SHIPPED)
def test_criteria_check_passes_for_every_shipped_file(framework_id):
    path = paths.bundled_criteria_dir() / f"{framework_id}.toml"
    out = run("criteria", "check", path).stdout
    assert f"ok: {framework_id}, 8 areas" in out
    assert "800 points" in out


def test_the_readme_example_of_an_area_only_framework_checks_installs_and_takes_a_csv(tmp_path, isolated_home):

    text = readme_block("toml", '[[area]]\nid = "4"')
    assert "[[area.question]]" not in text
    example = tmp_path / "egna-teman.toml"
    example.write_text(text, encoding="utf-8")
    db = tmp_path / "db"
    assert "ok: egna-teman-2024, 4 areas" in run("criteria", "check", example).stdout
    run("criteria", "add", example, "--db", db)
    installed = criteria.get("egna-teman-2024")
    assert installed.origin == "user"
    assert installed.path.is_relative_to(isolated_home)
    assert installed.questions == ()
    assert installed.maximum == 800
    assert "egna-teman-2024" in run("criteria", "list").stdout

    # the README's CSV of area results, as Swedish Excel saves it (BOM, ';', decimal comma, CRLF)
    rows = readme_block("text", "kommun;år;1;2;3;4")
    csv = tmp_path / "teman.csv"
    csv.write_bytes(b"\xef\xbb\xbf" + rows.replace("\n", "\r\n").encode("utf-8"))
    run("import", csv, "--framework", "egna-teman-2024", "--db", db)
    shown = run("show", "huddinge-2024", "--db", db).stdout
    assert "120.5" in shown or "120,5" in shown
    assert "543.5" in shown or "543,5" in shown
