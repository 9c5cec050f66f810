from decimal import Decimal

import pytest
from helpers import snapshot_files
from hypothesis import given, settings
from hypothesis import strategies as st

from kompass_tui.core.sanitize import clean_text
from kompass_tui.errors import InputError, KompassError
from kompass_tui.exchange import csvfile as csvio
from kompass_tui.exchange.csvfile import AreaRow, QuestionRow


def write(tmp_path, text, name="in.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_swedish_excel_area_rows_with_bom_semicolons_and_decimal_comma():
    rows = csvio.read("\ufeffkommun;år;1;2\nKalix;2003;72;35,5\n", "x.csv")
    assert rows == [AreaRow(2, "Kalix", 2003, {"1": Decimal(72), "2": Decimal("35.5")})]


def test_comma_separated_with_quoted_decimal_comma_and_point():
    rows = csvio.read('municipality,year,1,2\nKalix,2003,"35,5",35.5\n', "x.csv")
    assert rows[0].scores == {"1": Decimal("35.5"), "2": Decimal("35.5")}


def test_question_rows_with_notes_and_sources():
    rows = csvio.read(
        'question;score;note;sources\n2.1;9,5;"Ett; två";intervju, webb\n2.2;;bara anteckning;\n', "x.csv"
    )
    assert rows == [
        QuestionRow(2, "2.1", Decimal("9.5"), "Ett; två", ("interview", "website")),
        QuestionRow(3, "2.2", None, "bara anteckning", ()),
    ]


BAD = [
    ("empty", "", "the file is empty"),
    ("header only", "question;score;note\n", "no rows after the header"),
    ("no header", "2.1;9,5;x\n", "line 1: expected a header"),
    ("mixed delimiters", "municipality;year,1,2\nKalix;2003,72,35\n", "line 1: expected municipality;year;"),
    (
        "text for a number",
        "question;score\n2.1;nio\n",
        "line 2, column 'score': expected a number such as 9,5, found 'nio'",
    ),
    ("unquoted decimal comma", "question,score,note\n2.1,9,5,x\n", "line 2: 4 columns, expected 3"),
    ("bad year", "kommun;år;1\nKalix;tjugo;5\n", "line 2, column 'year'"),
    (
        "year out of range",
        "kommun;år;1\nKalix;99999;5\n",
        "line 2, column 'year': expected a year such as 2003, found '99999'",
    ),
    (
        "error after a note spanning lines",
        'question;score;note\n1.1;3;"rad ett\nrad två"\n2.1;nio;x\n',
        "line 4, column 'score'",
    ),
    ("bad source", "question;score;sources\n2.1;3;rykten\n", "unknown source 'rykten'"),
    ("duplicate column", "question;score;score\n2.1;3;3\n", "a column appears twice"),
]


@pytest.mark.parametrize("name, text, message", BAD, ids=[b[0] for b in BAD])
def test_malformed_csv_names_line_and_column(name, text, message):
    with pytest.raises(InputError) as caught:
        csvio.read(text, "in.csv")
    assert message in str(caught.value) and str(caught.value).startswith("in.csv")


def test_import_area_rows_creates_area_level_evaluations(bench, tmp_path):
    path = write(tmp_path, "kommun;år;1;2;3;4;5;6;7;8\nKalix;2003;72;35,5;55;75;28;38,5;20;84\n", encoding="utf-8-sig")
    [ev] = bench.import_file(path)
    assert ev.id == "kalix-2003" and ev.area_level
    assert {r.id: str(r.total) for r in bench.rows()} == {"kalix-2003": "408"}


IMPORT_BAD = [
    ("unknown area", "kommun;år;1;9\nKalix;2003;72;3\n", None, "column '9' is not an area"),
    ("area out of range", "kommun;år;1;2\nKalix;2003;72;100,5\nNacka;2003;1;1\n", None, "line 2: area 2"),
    ("unknown question", "question;score\n2.1;3\n9.9;1\n", "botkyrka-2003", "line 3: no sub-question '9.9'"),
    (
        "question out of range",
        "question;score\n2.1;3\n2.6;11\n",
        "botkyrka-2003",
        "line 3: question 2.6: 11 is not allowed; give 0 to 10",
    ),
    ("not a half", "question;score\n2.1;9.25\n", "botkyrka-2003", "give 0 to 10 in steps of 0.5"),
    ("questions without --into", "question;score\n2.1;3\n", None, "--into ID"),
    ("areas with --into", "kommun;år;1\nKalix;2003;3\n", "botkyrka-2003", "drop --into"),
    ("into area-level", "question;score\n2.1;3\n", "kalix-2003", "area scores only"),
    ("into unknown", "question;score\n2.1;3\n", "nowhere-2003", "no evaluation 'nowhere-2003'"),
]


@pytest.mark.parametrize("name, text, into, message", IMPORT_BAD, ids=[b[0] for b in IMPORT_BAD])
def test_bad_imports_change_nothing(demo, tmp_path, name, text, into, message):
    before = snapshot_files(demo.folder)
    with pytest.raises(KompassError) as caught:
        demo.import_file(write(tmp_path, text), into=into)
    assert message in str(caught.value)
    assert snapshot_files(demo.folder) == before


def test_question_rows_update_an_evaluation_and_keep_other_scores(demo, tmp_path):
    demo.import_file(write(tmp_path, "delfråga;poäng;anteckning\n2.1;5;Ny anteckning\n2.2;;\n"), into="botkyrka-2003")
    ev = demo.get("botkyrka-2003")
    assert ev.answer("2.1").score == 5 and ev.answer("2.1").note == "Ny anteckning"
    assert ev.answer("2.2").score == 15 and ev.answer("1.1").score == 34


@pytest.mark.parametrize(
    "lang, delimiter, number, header, sources",
    [
        ("sv", ";", "9,5", "delfråga;poäng;anteckning;källor", "intervju dokument webb"),
        ("en", ",", "9.5", "question,score,note,sources", "interview document website"),
    ],
)
def test_export_then_import_round_trips(demo, tmp_path, lang, delimiter, number, header, sources):
    """Headers and source words in the export's language; an import reads either."""
    text = demo.export("botkyrka-2003", "csv", lang)
    assert text.splitlines()[0] == header and text.splitlines()[1].endswith(sources)
    assert f"2.1{delimiter}{number}{delimiter}" in text
    target = demo.create("Botkyrka", 2008)
    demo.import_file(write(tmp_path, text), into=target.id)
    a, b = demo.get("botkyrka-2003"), demo.get(target.id)
    assert a.questions == b.questions


def test_area_level_export_round_trips(demo, tmp_path):
    text = demo.export("vasteras-2003", "csv", "sv")
    assert text == "kommun;år;1;2;3;4;5;6;7;8\nVästerås;2003;54;57;73,5;83,5;53;74,5;48;79\n"
    demo.delete("vasteras-2003")
    assert len(demo.import_file(write(tmp_path, text))) == 1
    assert {r.id: str(r.total) for r in demo.rows()}["vasteras-2003"] == "522.5"


# Any text as Kompass keeps it (sanitize.clean_text), often starting as a formula would.
notes = st.tuples(
    st.sampled_from(["", "=", "+", "-", "@", "\t", "'", "'=", "''+", " ="]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
).map(lambda parts: clean_text("".join(parts))[0])


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["1.1", "2.1", "2.6", "8.4"]),
        st.tuples(
            st.integers(0, 20).map(lambda n: Decimal(n) / 2),
            notes,
            st.sampled_from([(), ("interview",), ("document", "website")]),
        ),
    ),
    st.sampled_from(["sv", "en"]),
)
def test_csv_round_trip_keeps_scores_notes_and_sources(answers, lang):
    from kompass_tui.core.model import Answer, Evaluation
    from kompass_tui.store import criteria

    fw = criteria.get("kommunkompassen-2003")
    ev = Evaluation(
        id="x-2003",
        municipality="X",
        year=2003,
        framework=fw.id,
        questions={q: Answer(s, n.strip(), src) for q, (s, n, src) in answers.items()},
    )
    rows = {row.question: row for row in csvio.read(csvio.write(ev, fw, lang), "x.csv")}
    for qid, answer in ev.questions.items():
        assert (rows[qid].score, rows[qid].note, rows[qid].sources) == (answer.score, answer.note, answer.sources)


# ---------------------------------------------------------------- Excel: formulas, encodings, line ends

FORMULAS = [
    '=HYPERLINK("http://evil.example","Klicka")',
    "+46 8 123 45",
    "-1+2",
    "@SUM(1+1)",
    "\t=1+1",
    "- Medborgarkontor i alla kommundelar",
    "'=already quoted",
    "''+twice",
    "=",
    "'",
    "a = b",
]


@pytest.mark.parametrize("lang, delimiter", [("sv", ";"), ("en", ",")])
def test_cells_excel_would_run_are_written_as_text_and_read_back_exactly(bench, fw, lang, delimiter, tmp_path):
    import csv
    import io

    from kompass_tui.core.model import Answer, AreaEntry, Evaluation

    notes = {q.id: text for q, text in zip(fw.questions, FORMULAS, strict=False)}  # the first questions only
    ev = Evaluation(
        id="x-2003",
        municipality="X",
        year=2003,
        framework=fw.id,
        questions={qid: Answer(note=text.strip() if text.strip() else text) for qid, text in notes.items()},
    )
    text = csvio.write(ev, fw, lang)
    cells = [row[2] for row in csv.reader(io.StringIO(text), delimiter=delimiter)][1:]
    for cell in cells:  # what Excel sees: never a formula
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), cell
    assert "'=HYPERLINK(" in text and "'- Medborgarkontor" in text
    read = {row.question: row.note for row in csvio.read(text, "x.csv")}
    assert {qid: read[qid] for qid in notes} == {qid: ev.answer(qid).note for qid in notes}

    area = Evaluation(
        id="y-2003",
        municipality="=cmd|' /C calc'!A0",
        year=2003,
        framework=fw.id,
        level="areas",
        areas={"1": AreaEntry(score=Decimal(50))},
    )
    exported = csvio.write(area, fw, lang)
    assert "\n'=cmd|" in exported or "\n\"'=cmd|" in exported
    assert csvio.read(exported, "y.csv")[0].municipality == "=cmd|' /C calc'!A0"


def test_a_kompass_csv_export_imports_back_exactly(demo, tmp_path):
    demo.note("botkyrka-2003", "1.1", '=HYPERLINK("http://evil")')
    demo.note("botkyrka-2003", "1.2", "- Medborgarkontor\n- Webb\tmed tabb")
    path = tmp_path / "b.csv"
    path.write_bytes(demo.export("botkyrka-2003", "csv", "sv").encode("utf-8-sig"))
    demo.note("botkyrka-2003", "1.1", "")
    demo.note("botkyrka-2003", "1.2", "")
    demo.import_file(path, into="botkyrka-2003")
    ev = demo.get("botkyrka-2003")
    assert (ev.answer("1.1").note, ev.answer("1.2").note) == (
        '=HYPERLINK("http://evil")',
        "- Medborgarkontor\n- Webb\tmed tabb",
    )


def test_swedish_excel_cp1252_with_crlf_is_read_and_said(bench, tmp_path):
    text = "kommun;år;1;2;3;4;5;6;7;8\r\nVästerås;2003;54;57;73,5;83,5;53;74,5;48;79\r\nHåbo;2003;1;2;3;4;5;6;7;8\r\n"
    path = write(tmp_path, text, encoding="cp1252")
    said = []
    bench.report = said.append
    imported = bench.import_file(path)
    assert [ev.municipality for ev in imported] == ["Västerås", "Håbo"]
    assert any("Windows-1252" in line for line in said)
    again = write(tmp_path, text.replace("Håbo", "Habo"), name="again.csv", encoding="cp1252")
    with pytest.raises(InputError, match="not utf-8 text"):
        bench.import_file(again, encoding="utf-8")
    assert [ev.municipality for ev in bench.import_file(again, encoding="cp1252")] == ["Västerås", "Habo"]


def test_old_mac_line_ends_are_read(bench, tmp_path):
    path = write(tmp_path, "kommun;år;1;2\rKalix;2003;72;35,5\rLund;2003;1;2\r")
    assert [ev.municipality for ev in bench.import_file(path)] == ["Kalix", "Lund"]
    rows = csvio.read('question;score;note\r2.1;9,5;"rad ett\rrad två"\r2.2;3;x\r', "x.csv")
    assert [(r.line, r.question, r.note) for r in rows] == [(3, "2.1", "rad ett\nrad två"), (4, "2.2", "x")]


def test_a_field_over_the_limit_is_one_line_and_changes_nothing(demo, tmp_path, db_path):
    path = write(tmp_path, "question;score;note\n2.1;3;" + "x" * (csvio.FIELD_LIMIT + 1) + "\n")
    before = snapshot_files(db_path)
    with pytest.raises(InputError) as caught:
        demo.import_file(path, into="botkyrka-2003")
    assert "line 2" in str(caught.value) and "at most 1,000,000 characters" in str(caught.value)
    assert "\n" not in str(caught.value)
    long_note = write(tmp_path, "question;score;note\n2.1;3;" + "x" * 100_001 + "\n", name="long.csv")
    with pytest.raises(InputError, match="line 2: the note is 100,001 characters long"):
        demo.import_file(long_note, into="botkyrka-2003")
    assert snapshot_files(db_path) == before
