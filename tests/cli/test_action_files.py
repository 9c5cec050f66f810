"""export --actions and importing the action plan back: the municipality follows its plan up in
Excel, and the file comes back as exactly the changes made in it, logged as who imported it."""

import csv
import io
from dataclasses import replace

import pytest
from helpers import snapshot_files
from test_cli import run

from kompass_tui.service import Workbench

EID = "botkyrka-2003"
LENA, INGA = "Lena Langlet", "Inga-Lill Elwin"


@pytest.fixture
def planned(db):
    """The demo with a plan of its own: three actions on area 2 (one done), one on area 7."""
    bench = Workbench(db)
    bench.apply(EID, lambda ev, fw, at: replace(ev, actions=()))
    bench.add_action(EID, "2", "Beskriv åtagandena på webben", LENA, 1, "Kommunledningskontoret", "2004-06-30")
    bench.add_action(EID, "2", "En rutin för klagomål", LENA, 2, "Kvalitetsstrategen", "2004-12-31")
    bench.add_action(EID, "2", '=HYPERLINK("http://x.example","klicka")', LENA, description="rad ett\nrad två")
    bench.add_action(EID, "7", "Extern kvalitetsrevision", LENA, 1, "Ekonomiavdelningen", "2005-06-30")
    bench.set_action(EID, "2.a", INGA, state="klar")
    return db


def plan(db):
    return {a.id: a for a in Workbench(db).get(EID).plan()}


def as_swedish_excel_saves(rows, path, encoding):
    """rows written back as Swedish Excel saves a CSV: `;`, CRLF, quotes only where needed."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_the_plan_goes_to_excel_and_comes_back_with_exactly_its_changes(planned, tmp_path, encoding):
    path = tmp_path / "handlingsplan.csv"
    run("export", EID, "--actions", "-F", "csv", "--lang", "sv", "-o", path, "--db", planned)
    raw = path.read_bytes()
    assert raw.startswith("\ufeffåtgärd;område;utvecklingsområde;rubrik;".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert [r[0] for r in rows] == ["åtgärd", "2.a", "2.b", "2.c", "7.a"]
    assert rows[3][3] == '\'=HYPERLINK("http://x.example","klicka")' and rows[3][4] == "rad ett\nrad två"
    before = plan(planned)

    rows[2][7], rows[2][8] = "klar", "Rutinen antagen av KF"  # 2.b: påbörjad … now klar, with a comment
    rows.append(["", "7", "", "Brukarnöjdhet i årsredovisningen", "", "Ekonomiavdelningen", "2005-12-31", "", ""])
    as_swedish_excel_saves(rows, path, encoding)
    out = run("import", path, "--into", EID, "--as", INGA, "--db", planned)
    assert out.stdout == f"imported {EID}\n"
    assert f"kompass: {path}: 1 action changed, 1 added, 1 comment logged ({EID})\n" in out.stderr

    after = plan(planned)
    assert set(after) == {"2.a", "2.b", "2.c", "7.a", "7.b"}
    assert all(after[i] == before[i] for i in ("2.a", "2.c", "7.a"))  # the formula-like title read back exactly
    done = after["2.b"]
    assert done.status == "done" and (done.title, done.owner, done.due) == (
        before["2.b"].title,
        before["2.b"].owner,
        before["2.b"].due,
    )
    assert done.log[:-1] == before["2.b"].log
    assert (done.log[-1].by, done.log[-1].status, done.log[-1].comment) == (INGA, "done", "Rutinen antagen av KF")
    new = after["7.b"]
    assert (new.title, new.owner, new.due, new.status, new.created_by) == (
        "Brukarnöjdhet i årsredovisningen",
        "Ekonomiavdelningen",
        "2005-12-31",
        "planned",
        INGA,
    )


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_an_unchanged_export_imports_as_no_change(planned, tmp_path, lang):
    path = tmp_path / f"plan-{lang}.csv"
    run("export", EID, "--actions", "-F", "csv", "--lang", lang, "-o", path, "--db", planned)
    before = snapshot_files(planned)
    out = run("import", path, "--into", EID, "--as", "Någon Annan", "--db", planned)
    assert snapshot_files(planned) == before
    assert out.stderr == f"kompass: {path}: no change to the action plan of {EID}\n"


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ("2.a;2;1;Beskriv åtagandena på webben;;;2004-13-45;klar;", "line 3: '2004-13-45' is not a date"),
        ("2.a;2;1;Beskriv åtagandena på webben;;;;nästan klar;", "line 3: unknown status 'nästan klar'"),
        ("2.q;2;;Finns inte;;;;;", "line 3: botkyrka-2003 has no action '2.q'"),
        ("2.a;2;3;Beskriv åtagandena på webben;;;;;", "line 3: area 2 has 2 improvement areas"),
    ],
)
def test_a_bad_row_refuses_the_whole_file_naming_its_line(planned, tmp_path, row, words):
    path = tmp_path / "plan.csv"
    path.write_text(
        "åtgärd;område;utvecklingsområde;rubrik;beskrivning;ansvarig;klart senast;status;kommentar\n"
        "7.a;7;1;Extern kvalitetsrevision;;Ekonomiavdelningen;2005-06-30;klar;Klar i förtid\n"
        f"{row}\n",
        encoding="utf-8",
    )
    before = snapshot_files(planned)
    err = run("import", path, "--into", EID, "--as", LENA, "--db", planned, code=1).stderr
    assert err.startswith(f"kompass: {path}: line 3: ") and words in err and err.count("\n") == 1
    assert snapshot_files(planned) == before


def test_a_formula_typed_into_the_file_is_kept_as_text(planned, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("action;area;title;owner\n;2;=SUM(A1:A9);@kommunen\n", encoding="utf-8")
    run("import", path, "--into", EID, "--as", LENA, "--db", planned)
    added = plan(planned)["2.d"]
    assert (added.title, added.owner) == ("=SUM(A1:A9)", "@kommunen")
    exported = run("export", EID, "--actions", "-F", "csv", "--lang", "en", "--db", planned).stdout
    assert "2.d,2,,'=SUM(A1:A9),,'@kommunen,,planned," in exported


def test_the_importer_is_as_or_the_root_as(planned, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("action,status,comment\n7.a,started,Upphandlas\n", encoding="utf-8")
    run("--as", INGA, "import", path, "--into", EID, "--db", planned)
    assert plan(planned)["7.a"].log[-1].by == INGA


def test_an_action_plan_without_into_is_refused_in_one_line(planned, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("åtgärd;område;rubrik\n;2;Ny\n", encoding="utf-8")
    err = run("import", path, "--db", planned, code=1).stderr
    assert err == f"kompass: {path}: holds an action plan; say which evaluation it belongs to with --into ID\n"
    err = run("--lang", "sv", "import", path, "--db", planned, code=1).stderr
    assert "innehåller en handlingsplan; ange vilken utvärdering den hör till med --into ID" in err


def test_export_actions_as_markdown(planned):
    out = run("export", EID, "--actions", "--lang", "sv", "--db", planned).stdout
    assert out.startswith("# Handlingsplan: Botkyrka 2003\n")
    assert "| 2.b | En rutin för klagomål<br>*Utvecklingsområde 2: " in out and "Tabell 1" not in out


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["-F", "json"], "--actions goes with md or csv\n"),
        (["--compare", "kalix-2003"], "--actions goes with md or csv, without --compare, --internal and --images\n"),
        (["--internal"], "--actions goes with md or csv, without --compare, --internal and --images\n"),
    ],
)
def test_export_actions_refuses_what_it_does_not_go_with(planned, extra, words):
    assert run("export", EID, "--actions", *extra, "--db", planned, code=1).stderr == f"kompass: {words}"


def test_the_report_of_a_reevaluation_follows_up_the_plan(planned):
    run("new", "Botkyrka", "--year", "2008", "--db", planned)
    out = run("export", "botkyrka-2008", "--lang", "sv", "--db", planned).stdout
    assert "## Uppföljning av handlingsplanen från 2003" in out
    assert "| 2 Tillgänglighet och medborgar-/brukarorientering |  | 1 av 3 åtgärder klara" in out


def test_help_says_what_actions_does():
    assert "Only the action plan (Markdown or CSV), for the municipality's own follow-up." in " ".join(
        run("export", "--help").stdout.split()
    )
    assert "--as" in run("import", "--help").stdout
