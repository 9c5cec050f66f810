"""Stored data is checked against its framework when read: a score the framework does not allow
(a hand-edited file, or maxima lowered since) is flagged, named, and not counted; the file keeps
it. Rounds of one municipality are matched by name, never by the ASCII id."""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal

from typer.testing import CliRunner

from kompass_tui import paths
from kompass_tui.cli import app
from kompass_tui.core import model
from kompass_tui.core.model import Answer, AreaEntry, Entry, Evaluation
from kompass_tui.service import Workbench
from kompass_tui.store import Database

runner = CliRunner()


def hand_edited(bench: Workbench) -> None:
    """Files no Kompass would write: -5, 1000, 9.25, 1e308 and NaN as scores, a sub-question the
    framework does not have, and a published area score over 100."""
    doc = model.to_dict(
        Evaluation(
            id="sala-2021",
            municipality="Sala",
            year=2021,
            framework="kommunkompassen-2003",
            questions={
                "1.1": Answer(Decimal(30)),
                "1.2": Answer(Decimal(4)),
                "2.1": Answer(entries={"Anna": Entry(Decimal(3))}),
            },
        )
    )
    doc["questions"]["1.2"]["score"] = -5
    doc["questions"]["1.3"] = {"score": 1000, "note": "", "sources": []}
    doc["questions"]["2.2"] = {"score": 9.25, "note": "", "sources": []}
    doc["questions"]["2.3"] = {"score": 1e308, "note": "", "sources": []}
    doc["questions"]["2.1"]["entries"]["Bo"] = {"score": math.nan, "note": "", "sources": [], "updated": ""}
    doc["questions"]["9.9"] = {"score": 5, "note": "", "sources": []}
    Database(bench.folder).create(lambda taken: doc)
    areas = model.to_dict(
        Evaluation(
            id="kalix-2021",
            municipality="Kalix",
            year=2021,
            framework="kommunkompassen-2003",
            level="areas",
            areas={"1": AreaEntry(Decimal(50))},
        )
    )
    areas["areas"]["2"] = {"score": 101, "strengths": "", "improvements": ""}
    Database(bench.folder).create(lambda taken: areas)


def test_scores_the_framework_does_not_allow_are_named_and_not_counted(bench):
    hand_edited(bench)
    shown = runner.invoke(app, ["show", "sala-2021", "--db", str(bench.folder)])
    assert shown.exit_code == 0
    flagged = shown.stderr.splitlines()
    assert (
        "kompass: sala-2021: question 1.2: -5 is not allowed in kommunkompassen-2003 (0 to 40 in steps of 0.5); "
        "it is not counted" in flagged
    )
    for part in (
        "question 1.3: 1000 ",
        "question 2.2: 9.25 ",
        "question 2.3: 1E+308 ",
        "question 2.1 (Bo): NaN ",
        "'9.9' is not a sub-question in kommunkompassen-2003; it is left out",
    ):
        assert any(part in line for line in flagged), part
    assert len(flagged) == 6
    assert re.search(r"^Total\s+33\s+800\s+2/37$", shown.stdout, re.M), shown.stdout  # 30 + Anna's 3
    listed = runner.invoke(app, ["list", "--db", str(bench.folder)])
    assert (
        listed.exit_code == 0 and "kalix-2021, sala-2021: hold scores their framework does not allow" in listed.stderr
    )
    totals = {row.id: row.total for row in bench.rows()}
    assert totals == {"sala-2021": Decimal(33), "kalix-2021": Decimal(50)}
    stored = json.loads((bench.folder / "evaluations" / "sala-2021.json").read_text())
    assert stored["evaluation"]["1"]["questions"]["1.3"]["score"] == 1000  # the file keeps what it had


def test_what_kompass_exports_it_imports_again(bench, tmp_path):
    hand_edited(bench)
    for eid in ("sala-2021", "kalix-2021"):
        out = tmp_path / f"{eid}.json"
        exported = runner.invoke(app, ["export", eid, "-F", "json", "-o", str(out), "--db", str(bench.folder)])
        assert exported.exit_code == 0, exported.stderr
        other = tmp_path / f"other-{eid}"
        imported = runner.invoke(app, ["import", str(out), "--db", str(other)])
        assert imported.exit_code == 0, imported.stderr
        assert Workbench(other).rows()[0].total == bench.rows()[[r.id for r in bench.rows()].index(eid)].total


LOWER = (
    'text_en = "How are the citizens informed?"\n  max = 40',
    'text_en = "How are the citizens informed?"\n  max = 10',
)


def test_a_framework_that_would_leave_stored_scores_out_of_range_needs_force(demo, tmp_path):
    text = (paths.bundled_criteria_dir() / "kommunkompassen-2003.toml").read_text(encoding="utf-8")
    assert LOWER[0] in text
    lowered = text.replace(LOWER[0], LOWER[1]).replace(
        'short_en = "Openness"\nmax = 100', 'short_en = "Openness"\nmax = 70', 1
    )
    assert lowered.count("max = 70") == 1
    path = tmp_path / "lowered.toml"
    path.write_text(lowered, encoding="utf-8")
    db = ["--db", str(demo.folder)]
    refused = runner.invoke(app, ["criteria", "add", str(path), "--replace", *db])
    assert refused.exit_code == 1, refused.stderr
    assert "kompass: botkyrka-2003: question 1.1: 34 is not allowed in kommunkompassen-2003 (0 to 10" in refused.stderr
    assert "nothing was installed" in refused.stderr and "--force" in refused.stderr
    assert not (paths.user_criteria_dir() / "kommunkompassen-2003.toml").exists()
    forced = runner.invoke(app, ["criteria", "add", str(path), "--replace", "--force", *db])
    assert forced.exit_code == 0, forced.stderr
    shown = runner.invoke(app, ["show", "botkyrka-2003", *db])
    assert "question 1.1: 34 is not allowed" in shown.stderr
    assert {r.id: r.total for r in Workbench(demo.folder).rows()}["botkyrka-2003"] == Decimal(639 - 34)


def test_habo_is_not_a_later_round_of_habo_with_a_ring(bench):
    bench.create("Håbo", 2003)
    bench.create("Habo", 2008)
    bench.create("Va\u0308stera\u030as", 2010)  # decomposed, as some systems type it
    bench.create("Västerås", 2003)
    habo = bench.get("habo-2008")
    assert [ev.municipality for ev in bench.related(habo)] == ["Habo"]
    vasteras = bench.get("vasteras-2010")
    assert vasteras.municipality == "Västerås"  # kept NFC
    assert [ev.year for ev in bench.related(vasteras)] == [2003, 2010]
    assert [r.id for r in bench.rows()] == ["habo-2008", "habo-2003", "vasteras-2003", "vasteras-2010"]


def test_a_number_too_large_to_write_out_is_flagged_and_never_computed_with(bench):
    """1e100000000 as text, or Infinity: once they hung every save of the evaluation (writing out
    their digits) with the lock held."""
    hand_edited(bench)
    path = bench.folder / "evaluations" / "sala-2021.json"
    raw = (
        path.read_text()
        .replace('"1.1":{"score":30', '"1.1":{"score":"1e100000000"')
        .replace('"2.2":{"score":9.25', '"2.2":{"score":Infinity')
    )
    path.write_text(raw)
    scored = runner.invoke(app, ["--wait", "5", "score", "sala-2021", "8.1", "2", "--db", str(bench.folder)])
    assert scored.exit_code == 0, scored.stderr
    shown = runner.invoke(app, ["show", "sala-2021", "--db", str(bench.folder)])
    assert (
        "question 1.1: 1E+100000000 is not allowed" in shown.stderr
        and "question 2.2: Infinity is not allowed" in shown.stderr
    )
    assert re.search(r"^Total\s+5\s+800", shown.stdout, re.M), shown.stdout  # Anna's 3 and 8.1's 2
    kept = json.loads(path.read_text())["evaluation"]["1"]["questions"]
    assert kept["1.1"]["score"] == "1E+100000000" and kept["2.2"]["score"] == math.inf


def test_a_frameworks_folder_others_can_write_is_refused(demo, isolated_home):
    folder = isolated_home / "criteria"
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    result = runner.invoke(app, ["show", "botkyrka-2003", "--db", str(demo.folder)])
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "criteria is writable by other users (mode 0777); frameworks there would decide every total" in result.stderr


def test_an_integer_of_thousands_of_digits_is_a_damaged_file_not_a_crash(bench, tmp_path):
    bench.create("Lund", 2021)
    hand_edited(bench)
    path = bench.folder / "evaluations" / "sala-2021.json"
    path.write_text(path.read_text().replace('"1.1":{"score":30', '"1.1":{"score":1' + "0" * 5000))
    listed = runner.invoke(app, ["list", "--db", str(bench.folder)])
    assert listed.exit_code == 0 and "sala-2021" in listed.stdout and "corrupt" in listed.stdout
    assert runner.invoke(app, ["show", "lund-2021", "--db", str(bench.folder)]).exit_code == 0
    index = bench.folder / "kompass.json"
    index.write_text(index.read_text().replace('"scored":0', '"scored":1' + "0" * 5000, 1))
    assert runner.invoke(app, ["list", "--db", str(bench.folder)]).exit_code == 0  # a damaged index: rebuilt
    bad = tmp_path / "big.json"
    bad.write_text('{"format": "kompass-evaluation", "schema": 2, "evaluation": {"year": 1' + "0" * 5000 + "}}")
    imported = runner.invoke(app, ["import", str(bad), "--db", str(bench.folder)])
    assert imported.exit_code == 1 and imported.stderr.count("\n") == 1 and "a number too long" in imported.stderr


def test_a_framework_id_that_is_no_file_name_is_not_installed(bench):
    hand_edited(bench)
    path = bench.folder / "evaluations" / "sala-2021.json"
    path.write_text(path.read_text().replace('"framework":"kommunkompassen-2003"', '"framework":"a\\u0000b/../x"'))
    listed = runner.invoke(app, ["list", "--db", str(bench.folder)])
    assert listed.exit_code == 0 and "sala-2021" in listed.stdout
    shown = runner.invoke(app, ["show", "sala-2021", "--db", str(bench.folder)])
    assert shown.exit_code == 1 and "framework 'a\\x00b/../x' is not installed" in shown.stderr


def test_a_framework_with_large_maxima_keeps_its_index(bench, tmp_path):
    path = tmp_path / "big.toml"
    path.write_text(
        '[framework]\nid = "big-2020"\nname = "Big"\n\n[[area]]\nid = "1"\nname = "One"\nmax = 2000000\n\n'
        '[[area.question]]\nid = "1.1"\ntext = "Q"\nmax = 2000000\n',
        encoding="utf-8",
    )
    assert runner.invoke(app, ["criteria", "add", str(path), "--db", str(bench.folder)]).exit_code == 0
    bench.create("Lund", 2021, "big-2020")
    bench.score("lund-2021", "1.1", Decimal("1500000"))
    for _ in range(2):
        assert [r.total for r in Workbench(bench.folder).rows()] == [Decimal(1500000)]
    assert not (bench.folder / "kompass.json.broken").exists()
