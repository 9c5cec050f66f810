"""Reference results and the mean of the database (issue 16): a published national or group
average (Sverigesnitt) kept as a reference, compared apart from the municipalities (never ranked,
never the best, never in the group average) with each municipality's difference from it; and
`--average-of`, the mean of the database's wholly scored evaluations as one more reference.

The figures are small enough to work out by hand: a framework of three areas of 100 points (areas
only, installed here: the shipped 2020 framework may be changing meanwhile), Håbo and Knivsta 2020
and Sverigesnitt 2020 from a Swedish Excel CSV with a referens column."""

import json
from dataclasses import replace
from decimal import Decimal

import pytest
from helpers import snapshot_files
from pilot import SIZE, make_app, plain, text_of
from typer.testing import CliRunner

from kompass_tui.cli import app
from kompass_tui.core import comparison, merging, model
from kompass_tui.errors import InputError
from kompass_tui.service import Workbench
from kompass_tui.store import Database

PROV = """\
[framework]
id = "prov-2020"
name = "Provkompassen 2020"
language = "sv"

[[area]]
id = "1"
name = "Demokrati"
max = 100

[[area]]
id = "2"
name = "Service"
max = 100

[[area]]
id = "3"
name = "Ekonomi"
max = 100
"""

# As Swedish Excel saves "CSV (semikolonavgränsad)": Windows-1252, `;`, decimal comma, CRLF. The
# reference's area 2 (75,4) is the highest of its row and its total (190,85) would rank second:
# neither may count.
RESULTS = (
    "kommun;år;referens;1;2;3\r\n"
    "Håbo;2020;;63,5;71;58\r\n"
    "Sverigesnitt;2020;ja;60,45;75,4;55\r\n"
    "Knivsta;2020;;70;50,5;62\r\n"
)

runner = CliRunner()


def run(*args, code=0):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def refused(*args) -> str:
    """The one line a refusal prints."""
    message = run(*args, code=1).stderr
    assert message.count("\n") == 1, message
    return message


@pytest.fixture
def db(tmp_path):
    """prov-2020 installed; Håbo, Sverigesnitt (a reference) and Knivsta 2020 imported."""
    framework = tmp_path / "prov-2020.toml"
    framework.write_text(PROV, encoding="utf-8")
    folder = tmp_path / "db"
    run("criteria", "add", framework, "--db", folder)
    results = tmp_path / "resultat.csv"
    results.write_bytes(RESULTS.encode("cp1252"))
    out = run("import", results, "--framework", "prov-2020", "--db", folder)
    assert out.stdout.split() == ["imported", "habo-2020", "imported", "sverigesnitt-2020", "imported", "knivsta-2020"]
    assert "Windows-1252" in out.stderr
    return folder


def test_a_referens_column_in_a_swedish_excel_csv_marks_the_reference(db):
    bench = Workbench(db)
    reference, habo = bench.get("sverigesnitt-2020"), bench.get("habo-2020")
    assert reference.reference and reference.area_level and not habo.reference
    assert reference.area("1").score == Decimal("60.45") and reference.area("2").score == Decimal("75.4")
    rows = {row.id: row for row in bench.rows()}
    assert rows["sverigesnitt-2020"].reference and not rows["habo-2020"].reference
    assert rows["sverigesnitt-2020"].total == Decimal("190.85") and not rows["sverigesnitt-2020"].unfit
    # In the index, only the reference's row holds the mark: a municipality's keeps the usual shape.
    raw = {}
    for part in (db / "index").glob("*.json"):
        raw.update({r["id"]: r for r in json.loads(part.read_text())["evaluations"].values()})
    assert raw["sverigesnitt-2020"]["reference"] is True and "reference" not in raw["habo-2020"]
    listed = run("list", "--lang", "sv", "--db", db).stdout
    assert [line.split()[-2] for line in listed.splitlines() if "2020" in line] == [
        "områdesnivå",
        "områdesnivå",
        "referens",
    ]
    assert "Sverigesnitt" in listed and "190,85" in listed  # 60,45 + 75,4 + 55, as published


def test_compare_shows_the_reference_apart_unranked_out_of_the_average_with_the_differences(db):
    out = run("compare", "habo-2020", "sverigesnitt-2020", "knivsta-2020", "--lang", "sv", "--db", db).stdout
    lines = [" ".join(line.split()) for line in out.splitlines()]
    # The reference's column comes after the average, headed Referens over its name and year.
    assert lines[0] == "Referens" and lines[1] == "Håbo Knivsta Sverigesnitt"
    assert lines[2] == "Kriterium 2020 2020 Medel 2020"
    assert "1 Demokrati 63,5 70* 66,8 60,45" in lines  # (63,5 + 70) / 2 = 66,75: one decimal, halves up
    assert "2 Service 71* 50,5 60,8 75,4" in lines  # 75,4 is higher, but a reference is never the best
    assert "3 Ekonomi 58 62* 60 55" in lines
    assert "Totalt 192,5* 182,5 187,5 190,85" in lines  # 190,85 would be second: it is not ranked
    assert "Placering 1 2" in lines
    # Each municipality's difference from the reference, in a block of its own under a heading.
    start = lines.index("Skillnad mot Sverigesnitt 2020")
    assert lines[start + 1 : start + 5] == [
        "1 Demokrati +3,05 +9,55",
        "2 Service −4,4 −24,9",
        "3 Ekonomi +3 +7",
        "Totalt +1,65 −8,35",
    ]
    assert "Referenser visas för sig" in out and "(+" not in out  # (no earlier rounds: no change in brackets)
    width = max(len(line) for line in out.splitlines() if not line.startswith("*"))
    assert width <= 80


def test_the_report_compares_with_the_reference_apart(db):
    report = run(
        "export",
        "habo-2020",
        "--compare",
        "sverigesnitt-2020",
        "knivsta-2020",
        "--lang",
        "sv",
        "--no-charts",
        "--db",
        db,
    ).stdout
    table = report[report.index("## Jämförelse") :]
    lines = table.splitlines()
    assert lines[2] == "| Kriterium | Håbo 2020 | Knivsta 2020 | Medel | Referens: Sverigesnitt 2020 |"
    assert "| 2 Service | **71** | 50,5 | 60,8 | 75,4 |" in lines
    assert "| **Totalt** | **192,5** | 182,5 | 187,5 | 190,85 |" in lines
    assert "| Placering | 1 | 2 |  |  |" in lines
    start = lines.index("| **Skillnad mot Sverigesnitt 2020** |  |  |  |  |")
    assert lines[start + 1 : start + 5] == [
        "| 1 Demokrati | +3,05 | +9,55 |  |  |",
        "| 2 Service | −4,4 | −24,9 |  |  |",
        "| 3 Ekonomi | +3 | +7 |  |  |",
        "| Totalt | +1,65 | −8,35 |  |  |",
    ]
    assert "Skillnad mot Sverigesnitt 2020: varje kommuns poäng minus referensens" in table
    # With charts, the reference has its own labelled bar after the municipalities.
    charted = run("export", "habo-2020", "--compare", "sverigesnitt-2020", "--lang", "sv", "--db", db).stdout
    assert "Ref. Sverigesnitt 2020" in charted[charted.index("## Jämförelse") :]


@pytest.fixture
def more(db):
    """Besides the fixture's three: Sigtuna 2021 and Tierp 2019 wholly scored, Enköping 2020 not
    (area 3 unscored), and an older reference: what the mean must take and leave out."""
    for name, year, scores in (("Sigtuna", 2021, ("50", "60", "40")), ("Tierp", 2019, ("80", "80", "80"))):
        run("new", name, "--year", year, "--framework", "prov-2020", "--db", db)
        for area, score in zip("123", scores, strict=True):
            run("score", f"{model.slug(name)}-{year}", area, score, "--db", db)
    run("new", "Enköping", "--year", "2020", "--framework", "prov-2020", "--db", db)
    run("score", "enkoping-2020", "1", "99", "--db", db)
    run("score", "enkoping-2020", "2", "99", "--db", db)
    run("new", "Riket", "--year", "2019", "--framework", "prov-2020", "--area-level", "--reference", "--db", db)
    for area in "123":
        run("score", "riket-2019", area, "99,95", "--db", db)
    return db


def test_the_mean_of_the_database_is_of_the_wholly_scored_municipalities_in_those_years(more, monkeypatch):
    bench = Workbench(more)
    bench.rows()  # the index up to date: from here on, no evaluation file may be read

    def no_file(*args, **kwargs):
        raise AssertionError("the mean is worked out from the index; no evaluation file is read")

    monkeypatch.setattr(Database, "read", no_file)
    every = Workbench(more).mean_of("prov-2020")
    # Håbo, Knivsta, Sigtuna, Tierp: not Enköping (unfinished), not Sverigesnitt or Riket (references)
    assert every.count == 4 and every.evaluation is None and every.years is None
    assert every.values == {"1": Decimal("65.9"), "2": Decimal("65.4"), "3": Decimal("60")}  # 263,5/4, 261,5/4, 240/4
    assert every.total == Decimal("191.3")  # 765 / 4 = 191,25: the mean of the totals, halves up
    some = Workbench(more).mean_of("prov-2020", (2020, 2021))  # Håbo, Knivsta, Sigtuna
    assert some.count == 3 and some.years == (2020, 2021)
    assert some.values == {"1": Decimal("61.2"), "2": Decimal("60.5"), "3": Decimal("53.3")}  # 183,5/3 …
    assert some.total == Decimal("175")  # (192,5 + 182,5 + 150) / 3
    assert Workbench(more).mean_of("prov-2020", (2021, 2021)).values == {"1": 50, "2": 60, "3": 40}


def test_compare_average_of_adds_the_mean_as_a_reference(more):
    out = run(
        "compare", "habo-2020", "knivsta-2020", "--average-of", "prov-2020:2020-2021", "--lang", "sv", "--db", more
    ).stdout
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert lines[:3] == ["Referens", "Håbo Knivsta Medel av 3", "Kriterium 2020 2020 Medel 2020–2021"]
    assert "1 Demokrati 63,5 70* 66,8 61,2" in lines and "Totalt 192,5* 182,5 187,5 175" in lines
    start = lines.index("Skillnad mot Medel av 3 i databasen, 2020–2021")
    assert lines[start + 1 : start + 5] == [
        "1 Demokrati +2,3 +8,8",
        "2 Service +10,5 −10",
        "3 Ekonomi +4,7 +8,7",
        "Totalt +17,5 +7,5",
    ]
    said = " ".join(out.split())
    assert "medelvärdet av de 3 färdigbedömda utvärderingarna av prov-2020 i databasen från 2020–2021" in said
    english = run("compare", "habo-2020", "sverigesnitt-2020", "--average-of", "prov-2020", "--db", more).stdout
    assert "Mean of 4" in english and "Difference from Sverigesnitt 2020" in english  # the first reference
    report = run("export", "habo-2020", "--average-of", "prov-2020:2021", "--no-charts", "--db", more).stdout
    assert "| Area | Håbo 2020 | Average | Reference: Mean of 1 in the database, 2021 |" in report


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("prov-2020:2022-2020", "'2022-2020' is not a year or years; give them as 2021 or 2020-2022"),
        ("prov-2020:tjugo", "'tjugo' is not a year or years"),
        (":2020", "give a framework id"),
        ("ingen-2020", "framework 'ingen-2020' is not installed"),
        ("kommunkompassen-2003", "the mean of kommunkompassen-2003 cannot be compared with habo-2020"),
        ("prov-2020:1990", "no wholly scored evaluation of prov-2020 in 1990"),
    ],
)
def test_a_bad_average_of_is_one_line(db, spec, says):
    assert says in refused("compare", "habo-2020", "knivsta-2020", "--average-of", spec, "--db", db)


def test_a_reference_keeps_two_decimals_and_a_municipality_half_points(db, tmp_path):
    before = snapshot_files(db / "evaluations")
    message = refused("score", "habo-2020", "1", "63,4", "--db", db)
    assert "63.4 is not allowed; give 0 to 100 in steps of 0.5" in message and "kept as a reference" in message
    assert "med högst två decimaler" in refused("--lang", "sv", "score", "sverigesnitt-2020", "1", "63,456", "--db", db)
    assert snapshot_files(db / "evaluations") == before
    run("score", "sverigesnitt-2020", "1", "63,45", "--db", db)
    assert Workbench(db).get("sverigesnitt-2020").area("1").score == Decimal("63.45")
    shown = run("show", "sverigesnitt-2020", "--lang", "sv", "--db", db).stdout
    assert "63,45" in shown and "Referens: ett riks- eller gruppsnitt, inte en kommun" in " ".join(shown.split())
    # A whole file with one municipality given an average's figure is refused, naming its line.
    path = tmp_path / "snitt.csv"
    path.write_bytes("\ufeffkommun;år;1;2;3\r\nUppsala;2020;63,4;70;70\r\n".encode())
    before = snapshot_files(db)
    assert "line 2: area 1: 63.4 is not allowed" in refused("import", path, "--framework", "prov-2020", "--db", db)
    # --reference makes every row of the file a reference: the same figures are then accepted.
    run("import", path, "--framework", "prov-2020", "--reference", "--db", db)
    assert snapshot_files(db) != before and Workbench(db).get("uppsala-2020").reference


def test_a_reference_must_be_area_level(db, tmp_path):
    before = snapshot_files(db)
    message = refused(
        "new", "Riket", "--year", "2003", "--framework", "kommunkompassen-2003", "--reference", "--db", db
    )
    assert "a reference (an average, not a municipality) holds area scores only" in message
    ev = model.Evaluation(id="riket-2003", municipality="Riket", year=2003, framework="kommunkompassen-2003")
    path = tmp_path / "riket.json"
    path.write_text(json.dumps(model.to_document(replace(ev, reference=True))), encoding="utf-8")
    assert "holds area scores only" in refused("import", path, "--db", db)
    assert "--reference goes with a CSV of area scores" in refused("import", path, "--reference", "--db", db)
    bad = tmp_path / "bad.csv"
    bad.write_text("kommun;år;referens;1;2;3\nRiket;2020;kanske;1;2;3\n", encoding="utf-8")
    assert "line 2, column 'reference': expected ja, yes, 1 or x" in refused(
        "import", bad, "--framework", "prov-2020", "--db", db
    )
    assert snapshot_files(db) == before
    # An areas-only framework makes an evaluation area-level by itself, so --area-level may be left out.
    assert run("new", "Länet", "--year", "2020", "--framework", "prov-2020", "--reference", "--db", db).stdout


def test_a_reference_goes_out_and_comes_back_as_one(db, tmp_path):
    csv = run("export", "sverigesnitt-2020", "-F", "csv", "--lang", "sv", "--db", db).stdout
    assert csv.splitlines() == ["kommun;år;referens;1;2;3", "Sverigesnitt;2020;ja;60,45;75,4;55"]
    path = tmp_path / "snitt.csv"
    path.write_text(csv, encoding="utf-8")
    other = tmp_path / "other"  # (frameworks are the user's, whichever database: prov-2020 is there)
    run("import", path, "--framework", "prov-2020", "--db", other)
    assert Workbench(other).get("sverigesnitt-2020").reference
    habo = run("export", "habo-2020", "-F", "csv", "--lang", "sv", "--db", db).stdout
    assert habo.splitlines()[0] == "kommun;år;1;2;3"  # a municipality's file is as before


def test_only_references_and_references_of_another_framework_follow_the_usual_rules(db, tmp_path):
    run("new", "Gruppsnitt", "--year", "2020", "--framework", "prov-2020", "--reference", "--db", db)
    for area, score in zip("123", ("61,5", "70,25", "50"), strict=True):
        run("score", "gruppsnitt-2020", area, score, "--db", db)
    table = Workbench(db).comparison(["sverigesnitt-2020", "gruppsnitt-2020"])
    assert table.evaluations == () and len(table.references) == 2 and table.differences == ()
    out = run("compare", "sverigesnitt-2020", "gruppsnitt-2020", "--db", db).stdout
    assert "Difference from" not in out and "190.85" in out and "181.75" in out
    run(
        "new",
        "Riket",
        "--year",
        "2003",
        "--framework",
        "kommunkompassen-2003",
        "--area-level",
        "--reference",
        "--db",
        db,
    )
    assert "only evaluations of one framework can be compared" in refused(
        "compare", "habo-2020", "riket-2003", "--db", db
    )


def test_the_differences_follow_the_rules_of_what_is_wholly_scored(db):
    """An unfinished municipality (or reference) has no difference where it is not whole, unless
    --include-partial; a reference is merged only with a reference."""
    bench = Workbench(db)
    partial = bench.create("Enköping", 2020, "prov-2020")
    bench.score(partial.id, "1", Decimal(80))
    table = bench.comparison(["habo-2020", partial.id, "sverigesnitt-2020"])
    assert table.differences[1].areas == {"1": Decimal("19.55"), "2": None, "3": None}
    assert table.differences[1].total is None and table.ranks == (1, 0)
    counted = bench.comparison(["habo-2020", partial.id, "sverigesnitt-2020"], include_partial=True)
    assert counted.differences[1].total == Decimal("-110.85")  # 80 − 190,85: what is scored, as asked
    mine = bench.get("habo-2020")
    with pytest.raises(InputError, match="cannot be merged"):
        merging.merge(mine, replace(mine, reference=True), "their copy")
    assert comparison.average_spec("prov-2020: 2020 – 2022") == ("prov-2020", (2020, 2022))


async def test_the_app_compares_with_the_reference_apart_and_unranked(db):
    from textual.widgets import DataTable

    from kompass_tui.tui.screens.compare import CompareScreen
    from kompass_tui.tui.screens.home import HomeScreen

    bench = Workbench(db)
    async with make_app(bench, lang="sv").run_test(size=SIZE) as pilot:
        await pilot.pause()
        home = pilot.app.screen
        assert isinstance(home, HomeScreen)
        assert "referens" in home.listing.cells["sverigesnitt-2020"]  # the word, not a colour
        await pilot.press("c")  # nothing marked: every evaluation of the highlighted one's framework
        screen = pilot.app.screen
        assert isinstance(screen, CompareScreen)
        grid = screen.query_one("#comparison", DataTable)
        heads = [" ".join(str(c.label).split()) for c in grid.columns.values()]
        assert heads == ["Kriterium", "Håbo 2020", "Knivsta 2020", "Medel", "Referens Sverigesnitt 2020"]

        def row(key: str) -> list[str]:
            return [plain(c).strip() for c in grid.get_row(key)]

        assert row("2") == ["2 Service", "71*", "50,5", "60,8", "75,4"]  # not the best, not in the average
        assert row("total") == ["Totalt", "192,5*", "182,5", "187,5", "190,85"]
        assert row("rank") == ["Placering", "1", "2", "", ""]  # not ranked
        assert row("±")[0] == "Skillnad mot Sverigesnitt 2020"
        assert row("±2") == ["2 Service", "−4,4", "−24,9", "", ""]
        assert row("±total") == ["Totalt", "+1,65", "−8,35", "", ""]
        assert "Referenser visas för sig" in text_of(screen.query_one("#compare-note"))


def test_a_comparison_one_municipality_a_row_sets_the_reference_and_the_differences_apart(db, monkeypatch):
    from kompass_tui.exchange import tables

    monkeypatch.setattr(tables, "WIDE", 1)  # as a group of hundreds is shown
    out = run("compare", "knivsta-2020", "habo-2020", "sverigesnitt-2020", "--lang", "sv", "--db", db).stdout
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert lines[:4] == [
        "# Kommun 1 2 3 Totalt ±",
        "1 Håbo 2020 63,5 71* 58 192,5*",
        "2 Knivsta 2020 70* 50,5 62* 182,5",
        "Medel 66,8 60,8 60 187,5",
    ]
    assert lines[4:6] == ["", "Ref. Sverigesnitt 2020 60,45 75,4 55 190,85"]  # no rank, no best
    assert lines[6:10] == [
        "",
        "Skillnad mot Sverigesnitt 2020",
        "1 Håbo 2020 +3,05 −4,4 +3 +1,65",
        "2 Knivsta 2020 +9,55 −24,9 +7 −8,35",
    ]


async def test_the_app_sets_the_reference_apart_when_it_lists_one_municipality_a_row(db, monkeypatch):
    from textual.widgets import DataTable

    from kompass_tui.exchange import tables
    from kompass_tui.tui.screens.compare import CompareScreen

    monkeypatch.setattr(tables, "WIDE", 1)
    async with make_app(Workbench(db), lang="sv").run_test(size=SIZE) as pilot:
        await pilot.app.push_screen(CompareScreen(["habo-2020", "knivsta-2020", "sverigesnitt-2020"]))
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        grid = pilot.app.screen.query_one("#comparison", DataTable)
        shown = [[plain(c).strip() for c in grid.get_row_at(n)] for n in range(grid.row_count)]
        assert [row[:2] for row in shown] == [
            ["1", "Håbo 2020"],
            ["2", "Knivsta 2020"],
            ["", "Medel"],
            ["", "Ref. Sverigesnitt 2020"],
            ["", "Skillnad mot Sverigesnitt 2020"],
            ["1", "Håbo 2020"],
            ["2", "Knivsta 2020"],
        ]
        assert shown[3][2:6] == ["60,45", "75,4", "55", "190,85"] and shown[6][2:6] == ["+9,55", "−24,9", "+7", "−8,35"]
