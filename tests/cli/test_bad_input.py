"""The bad-input catalogue: every case gets one line that says what was wrong, a non-zero exit,
and no change on disk (the database and the user's frameworks folder are compared byte for byte)."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import snapshot_files
from typer.testing import CliRunner

from kompass_tui import paths
from kompass_tui.cli import app
from kompass_tui.service import Workbench

FRAMEWORK = """[framework]
id = "mini"
name = "Mini"
[[area]]
id = "1"
name = "Ett"
max = 10
  [[area.question]]
  id = "1.1"
  text = "Fråga ett?"
  max = 4.5
  [[area.question]]
  id = "1.2"
  text = "Fråga två?"
  max = 5.5
"""
AREAS = "kommun;år;1;2;3;4;5;6;7;8\n"


@dataclass
class Case:
    name: str
    args: list[str]
    message: str
    file: str | bytes | None = None  # written to FILE, which the args may name
    setup: Callable[[Path, pytest.MonkeyPatch], None] | None = None


def framework_file(old: str, new: str) -> str:
    assert old in FRAMEWORK
    return FRAMEWORK.replace(old, new)


def corrupt_index(text: str | None = None, folder: bool = False, without_evaluations: bool = False):
    def setup(db: Path, monkeypatch) -> None:
        index = db / "kompass.json"
        index.unlink()
        if without_evaluations:  # then it is not recognisably a Kompass folder: refused, not rebuilt
            shutil.rmtree(db / "evaluations")
            shutil.rmtree(db / "backups", ignore_errors=True)
        if folder:
            index.mkdir()
        else:
            index.write_text(text)

    return setup


def read_only(db: Path, monkeypatch) -> None:
    if os.geteuid() != 0:
        for path in [db, *db.rglob("*")]:
            path.chmod(0o500 if path.is_dir() else 0o400)
    else:  # root ignores file modes: fail writes as a read-only file system would

        def refuse(*args, **kwargs):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))

        for module, name in ((tempfile, "mkstemp"), (os, "link"), (os, "unlink")):
            monkeypatch.setattr(module, name, refuse)


CASES = [
    # -- framework files ------------------------------------------------------------------
    Case(
        "criteria: TOML syntax",
        ["criteria", "add", "FILE"],
        "TOML syntax error",
        framework_file('name = "Mini"', 'name = "Mini'),
    ),
    Case(
        "criteria: duplicate id",
        ["criteria", "add", "FILE"],
        "duplicate question id '1.1'",
        framework_file('id = "1.2"', 'id = "1.1"'),
    ),
    Case(
        "criteria: maxima not summing",
        ["criteria", "check", "FILE"],
        "sum to the area's max 10, found a sum of 9.5",
        framework_file("max = 5.5", "max = 5"),
    ),
    Case(
        "criteria: negative maximum",
        ["criteria", "add", "FILE"],
        "field 'max': expected a positive multiple of 0,5, found -4.5",
        framework_file("max = 4.5", "max = -4.5"),
    ),
    Case(
        "criteria: non-half maximum",
        ["criteria", "add", "FILE"],
        "found 4.25",
        framework_file("max = 4.5", "max = 4.25"),
    ),
    Case(
        "criteria: missing text",
        ["criteria", "add", "FILE"],
        "question 1.2, field 'text': expected a non-empty text",
        framework_file('text = "Fråga två?"', ""),
    ),
    Case("criteria: empty file", ["criteria", "add", "FILE"], "the file is empty", ""),
    Case("criteria: binary file", ["criteria", "add", "FILE"], "found binary data", b"\x89PNG\r\n\x1a\n\x00\xff"),
    # -- CSV imports ---------------------------------------------------------------------------
    Case("csv: unknown area", ["import", "FILE"], "column '9' is not an area", "kommun;år;1;9\nKalix;2003;72;3\n"),
    Case(
        "csv: unknown question",
        ["import", "FILE", "--into", "botkyrka-2003"],
        "line 3: no sub-question '9.9'",
        "delfråga;poäng\n2.1;3\n9.9;1\n",
    ),
    Case(
        "csv: text for a number",
        ["import", "FILE"],
        "line 2, column '2': expected a number such as 9,5, found 'hög'",
        AREAS + "Kalix;2003;72;hög;55;75;28;38,5;20;84\n",
    ),
    Case(
        "csv: area out of range",
        ["import", "FILE"],
        "line 3: area 8: 100,5 is not allowed".replace("100,5", "100.5"),
        AREAS + "Kalix;2003;72;35,5;55;75;28;38,5;20;84\nNacka;2010;1;1;1;1;1;1;1;100,5\n",
    ),
    Case(
        "csv: question out of range",
        ["import", "FILE", "--into", "botkyrka-2003"],
        "question 2.6: 11 is not allowed",
        "question,score\n2.6,11\n",
    ),
    Case(
        "csv: delimiter mixture",
        ["import", "FILE"],
        "line 1: expected municipality;year;",
        "kommun;år,1,2\nKalix;2003,72,35\n",
    ),
    Case(
        "csv: unquoted decimal comma",
        ["import", "FILE", "--into", "botkyrka-2003"],
        "line 2: 4 columns, expected 3",
        "question,score,note\n2.1,9,5,x\n",
    ),
    Case("csv: empty file", ["import", "FILE"], "the file is empty", ""),
    Case("json: another program's file", ["import", "FILE"], "not a Kompass evaluation file", '{"name": "x"}'),
    Case("json: broken", ["import", "FILE"], "not valid JSON (line 1", '{"format": '),
    # -- scores ------------------------------------------------------------------------------------
    *[
        Case(f"score {value!r}", ["score", "botkyrka-2003", "2.1", value], message)
        for value, message in [
            ("-1", "-1 is not allowed; give 0 to 10 in steps of 0.5"),
            ("101", "101 is not allowed; give 0 to 10"),
            ("9.25", "9.25 is not allowed"),
            ("abc", "'abc' is not a number"),
            ("NaN", "'NaN' is not a number"),
            ("inf", "'inf' is not a number"),
            ("", "'' is not a number"),
        ]
    ],
    Case("score on an area-level evaluation", ["score", "kalix-2003", "2.1", "3"], "holds area scores only"),
    # -- unknown ids -----------------------------------------------------------------------------
    Case("unknown evaluation", ["score", "nowhere-2003", "1.1", "3"], "no evaluation 'nowhere-2003'"),
    Case("unknown question", ["score", "botkyrka-2003", "9.9", "3"], "no sub-question '9.9'"),
    Case("unknown area", ["strengths", "botkyrka-2003", "9", "Bra"], "no area '9'"),
    Case(
        "unknown comparison id",
        ["export", "botkyrka-2003", "--compare", "nowhere-2003"],
        "no evaluation 'nowhere-2003'",
    ),
    Case(
        "unknown framework",
        ["new", "Ort", "--year", "2020", "--framework", "nope"],
        "framework 'nope' is not installed",
    ),
    Case(
        "not a date",
        ["new", "Ort", "--year", "2020", "--start", "2020-13-01"],
        "'2020-13-01' is not a date; use YYYY-MM-DD",
    ),
    Case("unknown version", ["restore", "botkyrka-2003", "--version", "3"], "no kept versions of 'botkyrka-2003'"),
    # -- databases ---------------------------------------------------------------------------------
    Case(
        "database: corrupt JSON",
        ["list"],
        "kompass.json is corrupt: not valid JSON (line 1",
        setup=corrupt_index('{"_meta": ', without_evaluations=True),
    ),
    Case(
        "database: another program's TinyDB file",
        ["score", "botkyrka-2003", "1.1", "3"],
        "is not a Kompass database file",
        setup=corrupt_index('{"_default": {"1": {"x": 1}}}'),
    ),
    Case(
        "database: newer schema",
        ["show", "botkyrka-2003"],
        "written by a newer Kompass (schema 7",
        setup=corrupt_index('{"_meta": {"1": {"app": "kompass", "kind": "index", "schema": 7}}}'),
    ),
    Case("database: index is a folder", ["list"], "kompass.json is a folder", setup=corrupt_index(folder=True)),
    Case("database: read-only", ["score", "botkyrka-2003", "1.1", "3"], "nothing was changed", setup=read_only),
    Case("database: read-only delete", ["delete", "nacka-2003", "--yes"], "nothing was changed", setup=read_only),
]


def test_the_catalogue_is_large_enough():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    db = tmp_path / "db"
    Workbench(db).load_demo()
    args = [str(a) for a in case.args]
    if case.file is not None:
        path = tmp_path / "input.file"
        path.write_bytes(case.file if isinstance(case.file, bytes) else case.file.encode("utf-8"))
        args = [str(path) if a == "FILE" else a for a in args]
    if case.setup:
        case.setup(db, monkeypatch)
    before = snapshot_files(db), snapshot_files(paths.user_criteria_dir())
    result = CliRunner().invoke(app, [*args, "--db", str(db)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output + result.stderr
    assert result.stderr.startswith("kompass: ") and result.stderr.count("\n") == 1, result.stderr
    assert case.message in result.stderr, result.stderr
    assert (snapshot_files(db), snapshot_files(paths.user_criteria_dir())) == before


def test_a_database_path_that_is_a_file_or_a_foreign_folder(tmp_path):
    afile, folder = tmp_path / "notes.txt", tmp_path / "home"
    afile.write_text("mine")
    folder.mkdir()
    (folder / "thesis.docx").write_text("mine too")
    for path, message in (
        (afile, "is a file; --db and KOMPASS_DB take a database folder"),
        (folder, "is not a Kompass database (it holds other files"),
    ):
        result = CliRunner().invoke(app, ["new", "Ort", "--year", "2020", "--db", str(path)])
        assert result.exit_code == 1 and message in result.stderr and result.stderr.count("\n") == 1
    assert afile.read_text() == "mine" and sorted(p.name for p in folder.iterdir()) == ["thesis.docx"]


def test_a_bom_from_excel_is_read(tmp_path):
    db, path = tmp_path / "db", tmp_path / "excel.csv"
    path.write_bytes((AREAS + "Kalix;2003;72;35,5;55;75;28;38,5;20;84\n").encode("utf-8-sig"))
    result = CliRunner().invoke(app, ["import", str(path), "--db", str(db)])
    assert result.exit_code == 0 and result.stdout == "imported kalix-2003\n"
    assert str(Workbench(db).rows()[0].total) == "408"
