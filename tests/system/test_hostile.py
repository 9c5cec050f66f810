"""Hostile text: escape sequences, C1 and bidi controls, markup, formulas, NUL, huge notes.

Each string of CATALOGUE goes in as a municipality, an evaluator, a note, a strength and a
framework name, through `new`, `score`, `strengths`, `import` (JSON and both CSV shapes), `merge`
and `criteria add`: it is refused with one line, or kept clean. A database that still holds them
raw (written by an older Kompass, or by hand) is then shown by every command and every screen:
literally, without a crash, never writing ESC, a C1 control or a bidi override to the terminal.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import time
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from pilot import Tmux
from textual.widgets import Input, TextArea
from typer.testing import CliRunner

from kompass_tui.cli import app as cli
from kompass_tui.core import model
from kompass_tui.core.model import Answer, AreaEntry, Entry, Evaluation
from kompass_tui.core.sanitize import MAX_NAME, MAX_TEXT, is_safe
from kompass_tui.service import Workbench
from kompass_tui.store import Database
from kompass_tui.tui.app import KompassApp

CATALOGUE = {
    "OSC 52 clipboard, BEL": "Sala\x1b]52;c;aGk=\x07",
    "OSC 52 clipboard, ST": "Sala\x1b]52;c;aGk=\x1b\\",
    "OSC 8 link": "\x1b]8;;http://evil.example/\x07Sollentuna\x1b]8;;\x07",
    "OSC 0 window title": "\x1b]0;owned\x07Kalix",
    "CSI clear screen": "Nacka\x1b[2J",
    "CSI home and erase line": "\x1b[H\x1b[2KVästerås",
    "CSI colour": "\x1b[31mRöd\x1b[0m",
    "DCS request": "\x1bP+q544e\x1b\\Borås",
    "ESC alone": "\x1b",
    "C1 CSI": "Trollhättan\x9b2J",
    "C1 OSC": "\x9d52;c;aGk=\x9cLund",
    "C1 NEL": "Gävle\x85Umeå",
    "BEL": "ding\x07dong",
    "backspaces": "safe\x08\x08\x08\x08evil",
    "carriage return": "Good\rEvil",
    "NUL": "Nul\x00byte",
    "DEL": "Del\x7fete",
    "vertical tab and form feed": "a\x0bb\x0cc",
    "bidi override": "Sala\u202eabc\u202c",
    "bidi isolates": "\u2066Håbo\u2069 \u2067x\u2069",
    "markup close": "[/]",
    "markup link": "[link=http://evil.example]Sollentuna[/link]",
    "markup click": "[@click=app.quit]Kalix[/]",
    "markup style": "[bold red]Anna[/bold red]",
    "a name with a role": "Anna [lead]",
    "emoji code": ":cross_mark: Nacka",
    "formula": '=HYPERLINK("http://evil.example","Klicka")',
    "list item": "- Medborgarkontor i alla kommundelar",
    "plus": "+46 8 123 45",
    "at": "@SUM(1+1)",
    "tab first": "\t=1+1",
    "markdown and html": "<script>alert(1)</script> | # x ``` **b**",
    "decomposed": "Va\u0308stera\u030as",
    "zero-width, marks and tags": "Lu\u200bnd\u200f\U000e0041\U000e0042",
    "not UTF-8 (a lone surrogate)": "Bor\udcffås",
    "name too long": "Å" * (MAX_NAME + 1),
    "the longest note": "n" * MAX_TEXT,
}
RAW_MARKUP = [
    "[/]",
    "[link=http://evil.example]Sollentuna[/link]",
    "[@click=app.quit]Kalix[/]",
    "Anna [lead]",
    ":cross_mark: Nacka",
    "[bold red]Anna[/bold red]",
]
runner = CliRunner()


def run(*args, input=None):
    result = runner.invoke(cli, [str(a) for a in args], input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stdout + result.stderr
    return result


def one_line_refusal(result) -> bool:
    return result.exit_code == 1 and result.stderr.startswith("kompass: ") and result.stderr.count("\n") == 1


def kept_name(text: str) -> str:
    """What a name is kept as, worked out apart from sanitize: no control, format or surrogate
    characters (Unicode Cc, Cf, Cs; tabs and line breaks become spaces), NFC, single spaces."""
    kept = "".join(
        " " if c in "\t\n\r" else c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Cs") or c in "\t\n\r"
    )
    return " ".join(unicodedata.normalize("NFC", kept).split())


TEXT_UNSAFE = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), *range(0xE0000, 0xE0080)}


def kept_text(text: str) -> str:
    """What a note is kept as: lines and tabs stay; controls, surrogates, bidi and tag characters go."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(
        c for c in text if c in "\n\t" or (unicodedata.category(c) not in ("Cc", "Cs") and ord(c) not in TEXT_UNSAFE)
    )
    return unicodedata.normalize("NFC", kept).strip()


def clean(text: str, lines: bool = True) -> bool:
    return is_safe(text, lines) and unicodedata.is_normalized("NFC", text)


# ---------------------------------------------------------------- going in


@pytest.fixture
def evaluation(bench):
    bench.create("Bollnäs", 2021)
    return "bollnas-2021"


@pytest.mark.parametrize("label", list(CATALOGUE))
def test_a_name_is_refused_or_kept_clean(label, bench):
    hostile = CATALOGUE[label]
    result = run("new", "--year", "2021", "-e", hostile, "-e", "Bo", "--db", bench.folder, "--", hostile)
    expected = kept_name(hostile)
    if len(expected) > MAX_NAME or not expected:
        assert one_line_refusal(result), result.stderr
        assert bench.rows() == []
        return
    assert result.exit_code == 0, result.stderr
    [row] = bench.rows()
    ev = bench.get(row.id)
    assert ev.municipality == expected and clean(ev.municipality, lines=False)
    assert ev.evaluators == (expected, "Bo")
    assert ("removed" in result.stderr) == (
        expected != " ".join(hostile.split())
        and any(unicodedata.category(c) in ("Cc", "Cf", "Cs") and c not in "\t\n\r" for c in hostile)
    )
    assert is_safe(result.stdout + result.stderr)


@pytest.mark.parametrize("label", list(CATALOGUE))
def test_a_note_a_strength_and_an_evaluator_are_refused_or_kept_clean(label, bench, evaluation):
    hostile = CATALOGUE[label]
    noted = run("score", evaluation, "1.1", "5", "--note", hostile, "--as", "Anna", "--db", bench.folder)
    assert noted.exit_code == 0, noted.stderr
    strong = run("strengths", evaluation, "1", hostile, "--db", bench.folder)
    # A text that is nothing once cleaned would clear the strengths: that takes --clear.
    assert strong.exit_code == (0 if kept_text(hostile).strip() else 1), strong.stderr
    ev = bench.get(evaluation)
    assert ev.answer("1.1").entry("Anna").note == kept_text(hostile) and clean(ev.answer("1.1").entry("Anna").note)
    assert ev.area("1").strengths == kept_text(hostile)
    someone = run("score", evaluation, "1.2", "3", "--as", hostile, "--db", bench.folder)
    name = kept_name(hostile)
    if len(name) > MAX_NAME or not name:
        assert one_line_refusal(someone), someone.stderr
        assert "1.2" not in bench.get(evaluation).questions
    else:
        assert someone.exit_code == 0 and list(bench.get(evaluation).answer("1.2").entries) == [name]
    for result in (noted, strong, someone):
        assert is_safe(result.stdout + result.stderr)


def test_a_note_over_the_limit_is_refused_whole(bench, evaluation):
    before = bench.get(evaluation)
    for command in (
        ["score", evaluation, "1.1", "5", "--note", "-"],
        ["strengths", evaluation, "1", "-"],
        ["summary", evaluation, "-"],
    ):
        result = run(*command, "--db", bench.folder, input="x" * (MAX_TEXT + 1))
        assert one_line_refusal(result) and "100,000" in result.stderr, result.stderr
    assert bench.get(evaluation) == before


def hostile_evaluation(text: str, name: str = "x-2021") -> Evaluation:
    """An evaluation from elsewhere with text in every field a user writes."""
    return Evaluation(
        id=name,
        municipality=text,
        year=2021,
        framework="kommunkompassen-2003",
        evaluators=(text,),
        summary=text,
        challenges=text,
        areas={"1": AreaEntry(strengths=text, improvements=text)},
        questions={"1.1": Answer(note=text, entries={text: Entry(Decimal(5), text, (), "2026-01-01T00:00:00+00:00")})},
    )


@pytest.mark.parametrize("label", list(CATALOGUE))
def test_an_imported_or_merged_file_is_refused_or_kept_clean(label, bench, evaluation, tmp_path):
    hostile = CATALOGUE[label]
    name = kept_name(hostile)
    path = tmp_path / "theirs.json"
    path.write_text(json.dumps(model.to_document(hostile_evaluation(hostile))), encoding="utf-8")
    imported = run("import", path, "--db", bench.folder)
    if len(name) > MAX_NAME or not name:
        assert one_line_refusal(imported), imported.stderr
        assert [r.id for r in bench.rows()] == [evaluation]
    else:
        assert imported.exit_code == 0, imported.stderr
        [new] = [r.id for r in bench.rows() if r.id != evaluation]
        ev = bench.get(new)
        assert (ev.municipality, ev.evaluators, list(ev.answer("1.1").entries)) == (name, (name,), [name])
        assert ev.summary == ev.area("1").strengths == ev.answer("1.1").entry(name).note == kept_text(hostile)

    # merged into an evaluation of the same name: another evaluator's copy
    theirs = hostile_evaluation(hostile, evaluation)
    path.write_text(
        json.dumps(model.to_document(theirs.__class__(**{**theirs.__dict__, "municipality": "Bollnäs"}))),
        encoding="utf-8",
    )
    merged = run("merge", path, "--db", bench.folder)
    if len(name) > MAX_NAME or not name:
        assert one_line_refusal(merged), merged.stderr
    else:
        assert merged.exit_code == 0, merged.stderr
        ev = bench.get(evaluation)
        assert ev.answer("1.1").entry(name).note == kept_text(hostile) and name in ev.evaluators
    for result in (imported, merged):
        assert is_safe(result.stdout + result.stderr)


@pytest.mark.parametrize("label", list(CATALOGUE))
def test_csv_imports_are_refused_or_kept_clean(label, bench, evaluation, tmp_path):
    hostile = CATALOGUE[label]
    rows = io.StringIO()
    writer = csv.writer(rows, delimiter=";")
    writer.writerows([["kommun", "år", "1", "2"], [hostile, "2021", "50", "40,5"]])
    (tmp_path / "areas.csv").write_text(rows.getvalue(), encoding="utf-8", errors="surrogateescape")
    areas = run("import", tmp_path / "areas.csv", "--db", bench.folder)
    name = kept_name(hostile)
    utf8 = hostile == hostile.encode("utf-8", "replace").decode()  # else the file is not UTF-8: read as cp1252
    if areas.exit_code == 0:
        [row] = [r for r in bench.rows() if r.id != evaluation]
        assert (row.municipality == name or not utf8) and clean(row.municipality, lines=False)
    else:
        assert one_line_refusal(areas), areas.stderr
        assert [r.id for r in bench.rows()] == [evaluation]

    rows = io.StringIO()
    csv.writer(rows, delimiter=",").writerows([["question", "score", "note"], ["2.1", "9.5", hostile]])
    (tmp_path / "questions.csv").write_text(rows.getvalue(), encoding="utf-8", errors="surrogateescape")
    questions = run("import", tmp_path / "questions.csv", "--into", evaluation, "--db", bench.folder)
    if questions.exit_code == 0:
        note = bench.get(evaluation).answer("2.1").note
        assert (note == kept_text(hostile) or not utf8) and clean(note)
    else:
        assert one_line_refusal(questions) and "\x00" in hostile, questions.stderr  # csv itself refuses NUL
    for result in (areas, questions):
        assert is_safe(result.stdout + result.stderr)


MINI = """
[framework]
id = "mini-2020"
name = {name}

[[area]]
id = "1"
name = {name}
max = 10

[[area.question]]
id = "1.1"
text = {name}
max = 10
"""


@pytest.mark.parametrize("label", list(CATALOGUE))
def test_a_framework_file_is_refused_or_kept_clean(label, bench, tmp_path):
    hostile = CATALOGUE[label]
    path = tmp_path / "mini.toml"
    path.write_text(MINI.format(name=json.dumps(hostile)), encoding="utf-8")
    added = run("criteria", "add", path, "--db", bench.folder)
    if added.exit_code == 0:
        assert is_safe(hostile, lines=False) and len(hostile.strip()) <= MAX_NAME
        shown = run("criteria", "show", "mini-2020", "--db", bench.folder).stdout
        assert hostile.strip() in shown
    else:
        assert added.exit_code == 1 and added.stderr.startswith("kompass: ")
        assert any(why in added.stderr for why in ("control characters", "at most", "TOML syntax error")), added.stderr
    assert is_safe(added.stdout + added.stderr)


# ---------------------------------------------------------------- coming out


TEAM = 5  # evaluators in each raw evaluation, so every catalogue string is a name and a note in a few of them


@pytest.fixture
def raw_db(tmp_path) -> Path:
    """A database as an older Kompass (or a hand-edited file) could leave it: every catalogue
    string raw, as a municipality, and in every fifth evaluation as an evaluator, a note, a text;
    the evaluators disagree."""
    folder = tmp_path / "raw"
    db = Database(folder)
    texts = list(CATALOGUE.values())
    for n, text in enumerate(texts):
        team = [texts[(n + k) % len(texts)] for k in range(TEAM)]
        ev = Evaluation(
            id=f"raw-{n}-2021",
            municipality=text,
            year=2021,
            framework="kommunkompassen-2003",
            evaluators=tuple(team),
            summary="\n".join(team),
            challenges=text,
            start="2021-01-01",
            areas={"1": AreaEntry(strengths="\n".join(team), improvements=text)},
            questions={
                "1.1": Answer(
                    note="\n".join(team), entries={name: Entry(Decimal(k), name) for k, name in enumerate(team)}
                ),
                "2.1": Answer(score=Decimal(3), note=text),
            },
        )
        db.create(lambda taken, ev=ev: model.to_dict(ev))
    return folder


def test_every_command_shows_raw_text_literally_and_never_writes_a_control(raw_db, tmp_path):
    ids = [f"raw-{n}-2021" for n in range(len(CATALOGUE))]
    commands = [
        ["list"],
        ["compare", *ids[:4]],
        ["compare", *ids, "--chart"],
        ["locate"],
        ["restore"],
        ["criteria", "list"],
        ["criteria", "show", "kommunkompassen-2003"],
    ]
    for eid in ids:
        commands += [
            ["show", eid, "-q"],
            ["disagreements", eid],
            ["chart", eid],
            ["export", eid],
            ["export", eid, "--lang", "sv", "--compare", ids[1] if eid == ids[0] else ids[0]],
            ["export", eid, "-F", "csv"],
            ["export", eid, "-F", "json"],
            ["restore", eid, "--list"],
        ]
    seen = ""
    for eid in ids:  # the question before a delete names the evaluation too (answered no)
        asked = run("delete", eid, "--db", raw_db, input="n\n")
        assert asked.exit_code == 1 and is_safe(asked.stdout + asked.stderr), asked.stdout
    for command in commands:
        result = run(*command, "--db", raw_db)
        assert result.exit_code == 0, (command, result.stderr)
        assert is_safe(result.stdout + result.stderr), (command, [c for c in result.stdout if not is_safe(c)])
        seen += result.stdout
    for markup in RAW_MARKUP:
        assert markup in seen, markup
    assert "Sala␛]52;c;aGk=␇" in seen and "\\x9b2J" in seen and "\\u202e" in seen


def test_exports_of_raw_text_read_back(raw_db, tmp_path):
    """JSON keeps the text exactly (escaped); CSV shows it visible and never as a formula."""
    bench = Workbench(raw_db)
    csv.field_size_limit(10 * MAX_TEXT)
    for n, text in enumerate(CATALOGUE.values()):
        out = bench.export(f"raw-{n}-2021", "json", "en")
        assert (
            is_safe(out) and json.loads(out)["evaluation"]["municipality"] == text.strip()[:MAX_NAME]
        )  # exactly, or cut to what an import takes
        for lang, delimiter in (("sv", ";"), ("en", ",")):
            cells = [
                c
                for row in csv.reader(io.StringIO(bench.export(f"raw-{n}-2021", "csv", lang)), delimiter=delimiter)
                for c in row
            ]
            assert not any(c[:1] in ("=", "+", "-", "@", "\t", "\r") for c in cells), cells


@pytest.mark.parametrize(
    "args",
    [["list", "--\x1b]52;c;aGk=\x07"], ["\x9b2J"], ["new", "X", "--year", "\u202e2021"], ["export", "x", "\x1b[2J"]],
)
def test_usage_errors_never_write_controls(args, tmp_path):
    """Click repeats a bad option, command or value as typed: the real command shows it visibly."""
    result = subprocess.run(
        [sys.executable, "-m", "kompass_tui", *args, "--db", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        env={**os.environ, "KOMPASS_HOME": str(tmp_path / "h")},
    )
    assert result.returncode in (1, 2) and result.stderr and is_safe(result.stdout + result.stderr), result.stderr


def test_standard_error_shows_controls_visibly():
    from kompass_tui.cli import _VisibleStream

    written = io.StringIO()
    _VisibleStream(written).write("Error: '\x1b]52;c;aGk=\x07'\n")
    assert written.getvalue() == "Error: '␛]52;c;aGk=␇'\n"


def screen_text(app) -> str:
    """What the screen shows, as the characters written to the terminal (styles aside)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


async def test_every_screen_shows_raw_text_literally_and_never_writes_a_control(raw_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bench = Workbench(raw_db)
    seen = []

    async def look(pilot, what: str) -> None:
        await pilot.pause()
        text = screen_text(pilot.app)
        assert is_safe(text), (what, sorted({c for c in text if not is_safe(c)}))
        seen.append(text)

    hostile_evaluator = CATALOGUE["markup close"]
    app = KompassApp(bench, "en", cursor_blink=False, evaluator=hostile_evaluator)
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await look(pilot, "home")
        rows = app.screen.query_one("#evaluations").ids
        for n in range(0, len(CATALOGUE), TEAM):  # every string is an evaluator and a note in one of these
            app.screen.query_one("#evaluations").cursor = rows.index(f"raw-{n}-2021")
            await pilot.press("enter")  # the overview, and the walk-through on top
            await look(pilot, f"walk-through {n}")
            await pilot.press("escape")
            await look(pilot, f"overview {n}")
            await pilot.press("d")
            await look(pilot, f"disagreements {n}")
            if n < 2 * TEAM:  # every other screen, for a few
                await pilot.press("1")
                await look(pilot, f"consensus taken {n}")
                await pilot.press("escape", "p")
                await look(pilot, f"profile {n}")
                await pilot.press("p", "s")
                await look(pilot, f"strengths {n}")
                await pilot.press("escape", "f1")
                await look(pilot, f"help {n}")
                await pilot.press("escape", "w", "n")
                await look(pilot, f"note {n}")
                await pilot.press("escape", "escape")
            await pilot.press("escape", "escape")
        await pilot.press("d")
        await look(pilot, "asked before a delete")
        await pilot.press("n", "c")
        await look(pilot, "comparison")
        await pilot.press("g")
        await look(pilot, "comparison chart")
        await pilot.press("escape", "e")
        app.screen.query_one(Input).value = "[@click=app.quit]x.md"
        await pilot.press("enter")
        await pilot.pause()
        await look(pilot, "exported")
        assert (tmp_path / "[@click=app.quit]x.md").exists() and "[@click=app.quit]x.md" in screen_text(app)
        await pilot.press("n")
        app.screen.query_one("#municipality", Input).value = "Å" * (MAX_NAME + 1)
        app.screen.query_one("#evaluators", Input).value = "[/]"
        await pilot.press("tab", "tab", "tab", "enter")
        await look(pilot, "refused name")
        await pilot.press("escape")
    shown = "\n".join(seen)
    for markup in RAW_MARKUP:
        assert markup in shown, markup
    assert "␛]52;c;aGk=␇" in shown and "\\u202e" in shown


async def test_pasted_controls_never_enter_a_field(bench):
    bench.create("Bollnäs", 2021)
    async with KompassApp(bench, "en", "bollnas-2021", cursor_blink=False, evaluator="Anna").run_test(
        size=(80, 24)
    ) as pilot:
        from textual import events

        await pilot.press("n")
        note = pilot.app.screen.query_one("#note", TextArea)
        pilot.app.post_message(events.Paste("Intervju\x1b]52;c;aGk=\x07 med\u202e KD\nrad två"))
        await pilot.pause()
        assert note.text == "Intervju]52;c;aGk= med KD\nrad två"
        assert is_safe(screen_text(pilot.app))
        await pilot.press("escape", "escape")
    assert bench.get("bollnas-2021").answer("1.1").entry("Anna").note == "Intervju]52;c;aGk= med KD\nrad två"


# ---------------------------------------------------------------- a real terminal


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_in_tmux_with_clipboard_on_nothing_reaches_the_terminal(raw_db, tmp_path):
    """The real app in tmux with set-clipboard on: hostile names and notes are drawn as visible
    escapes, and no OSC 52 reaches tmux (its paste buffers stay empty)."""
    env = f"KOMPASS_HOME={tmp_path / 'home'} KOMPASS_LANG=en TERM=xterm-256color"
    tmux = Tmux(tmp_path)
    try:
        tmux(
            "new-session",
            "-d",
            "-s",
            "k",
            "-x",
            "80",
            "-y",
            "24",
            f"env {env} {sys.executable} -m kompass_tui --db {raw_db} --as '[/]'",
        )
        tmux.wait_for(f"{len(CATALOGUE)} evaluations")
        home = tmux.wait_for("␛[31mRöd␛[0m")
        assert "␛]0;owned␇Kalix" in home and "· [/]" in home
        tmux("send-keys", "-t", "k", "Enter")  # the first evaluation: its walk-through
        tmux.wait_for("Note")
        tmux("send-keys", "-t", "k", "Escape")
        tmux.wait_for("Areas")
        tmux("send-keys", "-t", "k", "d")
        tmux.wait_for("Consensus")
        tmux("send-keys", "-t", "k", "Escape")  # one at a time: two escapes at once read as alt+escape
        tmux.wait_for("Areas")
        tmux("send-keys", "-t", "k", "Escape")
        tmux.wait_for(f"{len(CATALOGUE)} evaluations")
        for _ in range(len(CATALOGUE) - 1):  # every evaluation's walk-through once
            tmux("send-keys", "-t", "k", "Down", "Enter")
            tmux.wait_for("Note")
            tmux("send-keys", "-t", "k", "Escape")
            tmux.wait_for("Areas")
            tmux("send-keys", "-t", "k", "Escape")
            tmux.wait_for(f"{len(CATALOGUE)} evaluations")
        tmux("send-keys", "-t", "k", "c")
        tmux.wait_for(f"comparing {len(CATALOGUE)}")  # the whole framework, one municipality a row
        tmux.wait_for("␛]0;owned␇Kalix")  # its rows, drawn as visible escapes
        tmux("send-keys", "-t", "k", "Escape")
        tmux.wait_for(f"{len(CATALOGUE)} evaluations")
        tmux("send-keys", "-t", "k", "q")
        end = time.monotonic() + 30
        while tmux("display-message", "-p", "-t", "k", "#{pane_dead}").strip() != "1":  # the app has ended
            assert time.monotonic() < end, tmux.pane()
            time.sleep(0.05)
        assert tmux("list-buffers") == ""

        # The check can fail: the same text written raw does reach tmux's clipboard.
        tmux("new-window", "-t", "k", "-n", "raw", "printf '\\033]52;c;aGk=\\007'; sleep 5")  # kept open: tmux reads it
        end = time.monotonic() + 30
        while tmux("list-buffers") == "":
            assert time.monotonic() < end, "tmux took no OSC 52 even when written raw"
            time.sleep(0.05)
    finally:
        subprocess.run(["tmux", "-S", tmux.socket, "kill-server"], capture_output=True)


def test_an_evaluation_merges_with_its_own_export_though_its_stored_name_holds_controls(raw_db, tmp_path):
    """The export's name is cleaned when merged back; it is still the same municipality."""
    for n in range(len(CATALOGUE)):
        eid = f"raw-{n}-2021"
        out = tmp_path / f"{eid}.json"
        exported = run("export", eid, "-F", "json", "-o", out, "--db", raw_db)
        merged = run("merge", out, "--db", raw_db)
        assert exported.exit_code == 0
        texts = list(CATALOGUE.values())
        names = [texts[(n + k) % len(texts)] for k in range(TEAM)]  # the municipality and its team
        if merged.exit_code != 0:  # only a name that is nothing but controls, or longer than a name may be
            assert one_line_refusal(merged) and not all(0 < len(kept_name(name)) <= MAX_NAME for name in names), (
                merged.stderr
            )
