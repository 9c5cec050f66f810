"""The app, driven key by key through Textual's Pilot at 80x24."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from helpers import MINI_FRAMEWORK, SEED_AREAS, SEED_QUESTIONS, snapshot_files
from pilot import SIZE, make_app, overview_areas, plain, text_of, type_text
from rich.text import Text
from textual import events
from textual.widgets import Checkbox, DataTable, Input, TextArea
from typer.testing import CliRunner

from kompass_tui.cli import app as cli_app
from kompass_tui.service import Workbench
from kompass_tui.tui.screens.dialogs import ConfirmScreen, HelpScreen, NewEvaluationScreen, TextEditScreen
from kompass_tui.tui.screens.home import HomeScreen
from kompass_tui.tui.screens.overview import OverviewScreen
from kompass_tui.tui.screens.walkthrough import WalkthroughScreen
from kompass_tui.tui.widgets import TitleBar


async def test_scoring_all_37_seed_questions_key_by_key_gives_the_seeds_totals(bench):
    async with make_app(bench, evaluator="Lena Langlet").run_test(size=SIZE) as pilot:
        app = pilot.app
        await pilot.press("n")
        assert isinstance(app.screen, NewEvaluationScreen)
        await type_text(pilot, "Botkyrka")
        await pilot.press("tab", "ctrl+u")  # the year field proposes this year
        await type_text(pilot, "2003")
        await pilot.press("tab", "tab")
        await type_text(pilot, "Lena Langlet, Inga-Lill Elwin")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WalkthroughScreen) and app.screen.question.id == "1.1"
        for qid, score in SEED_QUESTIONS.items():
            assert app.screen.question.id == qid
            await type_text(pilot, score.replace(".", ","))
            await pilot.press("enter")
        await pilot.pause()
        assert app.screen.message == "You have scored all 37 sub-questions: total 639 / 800."
        await pilot.press("o")  # the dialog's way to the overview
        await pilot.pause()
        assert isinstance(app.screen, OverviewScreen)
        assert text_of(app.screen.query_one("#totals")) == "Total 639 / 800 · 37/37 scored"
        shown = overview_areas(app.screen)
    seed_totals = list(SEED_AREAS.values())
    assert [line.split()[2] for line in shown] == seed_totals
    ev = bench.get("botkyrka-2003")
    assert ev.evaluators == ("Lena Langlet", "Inga-Lill Elwin")
    assert {q: str(ev.answer(q).entry("Lena Langlet").score) for q in SEED_QUESTIONS} == SEED_QUESTIONS

    # Restart on the same database: the same figures, from disk.
    async with make_app(Workbench(bench.folder), "botkyrka-2003", evaluator="Lena Langlet").run_test(
        size=SIZE
    ) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, OverviewScreen)  # fully scored: no walk-through on top
        assert text_of(screen.query_one("#totals")) == "Total 639 / 800 · 37/37 scored"
        assert [line.split()[2] for line in overview_areas(screen)] == seed_totals


async def test_invalid_scores_show_the_reason_save_nothing_and_stay(bench):
    bench.create("Nacka", 2010)
    async with make_app(bench, "nacka-2010").run_test(size=SIZE) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, WalkthroughScreen) and screen.question.id == "1.1"
        for bad in ("41", "-1", "9,25", ",", "1,2,3", "1 2", "12,5p", "abc", "7x"):
            await type_text(pilot, bad)
            await pilot.press("enter")
            assert screen.question.id == "1.1", bad
            error = text_of(screen.query_one("#error"))
            assert error.startswith(f"{bad}: not ") and "Give 0–40 in steps of 0.5" in error, bad
            await pilot.press("backspace")  # the rejected text is selected: one key clears it
        await pilot.press("n")  # a letter that is a shortcut stays one: to the note
        assert screen.query_one("#score", Input).value == "" and pilot.app.focused.id == "note"
        await pilot.press("escape")  # back to the score
        pilot.app.flush()
        assert bench.get("nacka-2010").questions == {}
        await type_text(pilot, "9.5")
        await pilot.press("enter")
        assert screen.question.id == "1.2" and text_of(screen.query_one("#error")) == ""
        await pilot.press("enter")  # empty: moves on, changes nothing
        assert screen.question.id == "1.3"
    assert {q: str(a.entry("Anna").score) for q, a in bench.get("nacka-2010").questions.items()} == {"1.1": "9.5"}


async def test_enter_after_the_last_question_returns_to_the_overview_and_moving_on_saves_what_was_typed(bench):
    bench.create("Nacka", 2010)
    async with make_app(bench, "nacka-2010").run_test(size=SIZE) as pilot:
        screen = pilot.app.screen
        await type_text(pilot, "12")
        await pilot.press("up")  # nothing before 1.1: stays, and keeps the 12 typed
        assert screen.question.id == "1.1" and screen.query_one("#score", Input).value == ""
        assert "12" in text_of(screen.query_one("#score-label"))
        await type_text(pilot, "13")
        await pilot.press("down")
        assert screen.question.id == "1.2"
        await pilot.press("pageup")  # nothing typed: moves, changes nothing
        assert screen.question.id == "1.1"
        await pilot.press("down")
        await type_text(pilot, "7")
        await pilot.press("u")
        assert screen.question.id == "1.3"
        screen.go_to(len(screen.ids) - 1)
        await pilot.pause()
        await type_text(pilot, "20")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, OverviewScreen)
        pilot.app.flush()
    ev = bench.get("nacka-2010")
    assert {q: a.entry("Anna").score for q, a in ev.questions.items()} == {"1.1": 13, "1.2": 7, "8.4": 20}


async def test_esc_saves_a_typed_score_and_a_typed_score_that_cannot_be_taken_keeps_you_there(bench):
    bench.create("Nacka", 2010)
    async with make_app(bench, "nacka-2010").run_test(size=SIZE) as pilot:
        screen = pilot.app.screen
        for leave in ("down", "u", "escape"):
            await type_text(pilot, "41")
            await pilot.press(leave)
            await pilot.pause()
            assert pilot.app.screen is screen and screen.question.id == "1.1", leave
            assert "Give 0–40 in steps of 0.5" in text_of(screen.query_one("#error")), leave
            await pilot.press("backspace")  # the refused text is selected: one key clears it
        await type_text(pilot, "9,5")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, OverviewScreen)
        pilot.app.flush()
    assert bench.get("nacka-2010").answer("1.1").entry("Anna").score == Decimal("9.5")


async def test_scoring_the_last_open_sub_question_says_so_and_offers_the_overview_or_the_disagreements(bench):
    from kompass_tui.tui.screens.dialogs import ChoiceScreen
    from kompass_tui.tui.screens.disagreements import DisagreementScreen

    ev = bench.create("Nacka", 2010, evaluators=["Anna", "Bo"])
    ids = [q.id for q in bench.framework(ev.framework).questions]
    for qid in ids[:-1]:
        bench.score(ev.id, qid, Decimal(1), by="Anna")
    bench.score(ev.id, "1.1", Decimal(2), by="Bo")  # one disagreement
    async with make_app(bench, "nacka-2010").run_test(size=SIZE) as pilot:
        screen = pilot.app.screen
        assert screen.question.id == ids[-1]  # opened at the first unscored
        await type_text(pilot, "3")
        await pilot.press("enter")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, ChoiceScreen)
        assert dialog.message == f"You have scored all {len(ids)} sub-questions; 1 to decide with the team."
        assert [key for key, _ in dialog.choices] == ["o", "d", "s"]
        await pilot.press("s")  # stay: the score is saved and shown
        await pilot.pause()
        assert pilot.app.screen is screen and "3" in text_of(screen.query_one("#score-label"))
        await type_text(pilot, "-")
        await pilot.press("up", "down")  # taken back on the way up; scored again with ↓: offered again
        assert screen.question.id == ids[-1] and pilot.app.screen is screen
        await type_text(pilot, "4")
        await pilot.press("down")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ChoiceScreen)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(pilot.app.screen, DisagreementScreen)
        pilot.app.flush()
    assert bench.get("nacka-2010").answer(ids[-1]).entry("Anna").score == 4


def burst(app, *keys: str) -> None:
    """Keys that arrive at once, as from a fast typist over a slow link: all handed to the app
    before it handles the first (pilot.press waits after each key)."""
    for key in keys:
        app.post_message(events.Key(key, {"enter": "\r"}.get(key, key if len(key) == 1 else None)))


async def test_keys_arriving_in_one_burst_count_in_the_order_typed(bench):
    bench.create("Nacka", 2010)
    async with make_app(bench, "nacka-2010").run_test(size=SIZE) as pilot:
        burst(pilot.app, "1", "enter", "5", "enter", "i", "2", "0", "enter", "down", "3", "enter", "u")
        await pilot.pause()
        screen = pilot.app.screen
        assert (screen.question.id, screen.query_one("#score", Input).value) == ("2.4", "")  # u: after 2.3
        pilot.app.flush()
    ev = bench.get("nacka-2010")
    mine = {q: ev.answer(q).entry("Anna") for q in ("1.1", "1.2", "1.3", "2.1", "2.2")}
    assert {q: e.score for q, e in mine.items()} == {"1.1": 1, "1.2": 5, "1.3": 20, "2.1": None, "2.2": 3}
    assert mine["1.3"].sources == ("interview",) and mine["1.2"].sources == ()


async def test_keys_typed_before_a_refusal_was_on_screen_save_nothing(bench):
    bench.create("Nacka", 2010)
    async with make_app(bench, "nacka-2010").run_test(size=SIZE) as pilot:
        burst(pilot.app, "9", "9", "enter", "3", "6", "enter", "down")
        await pilot.pause()
        screen = pilot.app.screen
        assert screen.question.id == "1.1" and screen.query_one("#score", Input).value == "99"
        assert "99" in text_of(screen.query_one("#error"))
        await pilot.press("3", "6", "enter")  # typed after seeing it: taken
        pilot.app.flush()
    assert bench.get("nacka-2010").answer("1.1").entry("Anna").score == 36
    assert bench.get("nacka-2010").answer("1.2").entry("Anna").score is None


async def test_a_dash_takes_a_mistaken_score_back(bench):
    bench.create("Nacka", 2010)
    bench.score("nacka-2010", "1.1", Decimal("12"), by="Anna")
    async with make_app(bench, "nacka-2010").run_test(size=SIZE) as pilot:
        screen = pilot.app.screen
        screen.go_to(0)
        await type_text(pilot, "-")
        await pilot.press("enter")
        pilot.app.flush()
        assert screen.question.id == "1.2"
        assert bench.get("nacka-2010").answer("1.1").entry("Anna").score is None


async def test_opening_from_home_resumes_at_the_first_unscored_question(bench):
    bench.create("Nacka", 2010)
    for qid in ("1.1", "1.2", "1.3", "2.1", "2.3"):
        bench.score("nacka-2010", qid, Decimal("1"))
    async with make_app(bench).run_test(size=SIZE) as pilot:
        assert isinstance(pilot.app.screen, HomeScreen)
        await pilot.press("enter")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, WalkthroughScreen) and screen.question.id == "2.2"
        await pilot.press("u")  # next unscored after 2.2 skips the scored 2.3
        assert screen.question.id == "2.4"
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, OverviewScreen)
        await pilot.press("w")  # resume again
        await pilot.pause()
        assert pilot.app.screen.question.id == "2.2"


async def test_notes_and_evidence_toggles_are_saved_as_made(bench):
    bench.create("Nacka", 2010)
    async with make_app(bench, "nacka-2010").run_test(size=SIZE) as pilot:
        screen = pilot.app.screen
        await pilot.press("i", "w")
        pilot.app.flush()  # saves run in the background: wait for them before looking at the disk
        assert bench.get("nacka-2010").answer("1.1").entry("Anna").sources == ("interview", "website")
        await pilot.press("i")
        pilot.app.flush()
        assert bench.get("nacka-2010").answer("1.1").entry("Anna").sources == ("website",)
        await pilot.press("n")
        assert isinstance(screen.focused, TextArea)
        await type_text(pilot, "Protokoll | <b>online</b>, idu")  # letters go into the note, not the toggles
        await pilot.press("escape")  # back to the score field; the note is saved on leaving
        assert isinstance(screen.focused, Input)
        await type_text(pilot, "30")
        await pilot.press("enter")
        assert screen.question.id == "1.2"
        assert not any(box.value for box in screen.query(Checkbox))
        await pilot.press("up")
        assert screen.query_one("#note", TextArea).text == "Protokoll | <b>online</b>, idu"
        assert screen.query_one("#website", Checkbox).value and not screen.query_one("#interview", Checkbox).value
    answer = bench.get("nacka-2010").answer("1.1").entry("Anna")
    assert (answer.score, answer.note, answer.sources) == (Decimal(30), "Protokoll | <b>online</b>, idu", ("website",))


async def test_a_note_typed_just_before_quitting_is_saved(bench):
    bench.create("Nacka", 2010)
    async with make_app(bench, "nacka-2010").run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await type_text(pilot, "sista ordet")
        await pilot.press("ctrl+q")
    assert bench.get("nacka-2010").answer("1.1").entry("Anna").note == "sista ordet"


async def test_terminal_gone_saves_pending_text(bench):
    bench.create("Nacka", 2010)
    async with make_app(bench, "nacka-2010").run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await type_text(pilot, "SIGHUP")
        pilot.app.on_terminal_gone()
        await pilot.pause()
    assert bench.get("nacka-2010").answer("1.1").entry("Anna").note == "SIGHUP"


async def test_text_in_a_field_whose_keys_were_not_handled_yet_is_saved_at_the_end(demo):
    """A session can end (SIGHUP) after a field took keys but before the screen heard of them:
    the text on screen is what is saved, in the walk-through's note and in a text dialog."""
    demo.create("Nacka", 2010)
    async with make_app(demo, "nacka-2010").run_test(size=SIZE) as pilot:
        note = pilot.app.screen.query_one("#note", TextArea)
        with note.prevent(TextArea.Changed):  # the keys arrived; their Changed event did not
            note.insert("sista sekunden")
        pilot.app.flush()
        assert demo.get("nacka-2010").answer("1.1").entry("Anna").note == "sista sekunden"
        await pilot.press("escape", "c")  # the overview's closing challenges
        area = pilot.app.screen.query_one("#text", TextArea)
        with area.prevent(TextArea.Changed):
            area.insert("Ett slutord")
        pilot.app.flush()
        assert demo.get("nacka-2010").challenges == "Ett slutord"


async def test_a_closed_terminal_while_typed_text_is_being_handed_on_loses_nothing(bench, monkeypatch):
    """SIGHUP can come while the half-second save is being handed to the writer: the handler's own
    flush must still find it."""
    from kompass_tui.tui import app as app_module

    bench.create("Nacka", 2010)
    on_disk_at_exit = []
    monkeypatch.setattr(
        app_module.os,
        "_exit",
        lambda code: on_disk_at_exit.append(bench.get("nacka-2010").answer("1.1").entry("Anna").note),
    )
    async with make_app(bench, "nacka-2010").run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await type_text(pilot, "important evidence")
        app, submit = pilot.app, pilot.app.writer.submit

        def signal_first(key, job):  # the signal lands as the text is handed on
            app.writer.submit = submit
            app.on_signal(app_module.signal.SIGHUP, None)
            submit(key, job)

        app.writer.submit = signal_first
        app.send_pending()
    assert on_disk_at_exit[0] == "important evidence"


async def test_strengths_improvements_summary_and_challenges(demo):
    async with make_app(demo, "botkyrka-2003").run_test(size=SIZE) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, OverviewScreen)
        await pilot.press("down", "down")  # area 3
        await pilot.press("s")
        assert isinstance(pilot.app.screen, TextEditScreen)
        area = pilot.app.screen.query_one(TextArea)
        area.clear()
        await type_text(pilot, "Tydlig rollfördelning")
        await pilot.press("escape")
        await pilot.press("i")
        await pilot.press("ctrl+a")
        pilot.app.screen.query_one(TextArea).clear()
        await type_text(pilot, "Chefsforum")
        await pilot.press("escape")
        await pilot.press("c")
        pilot.app.screen.query_one(TextArea).clear()
        await type_text(pilot, "Ett slutord")
        await pilot.press("escape")
        assert pilot.app.screen is screen
        assert "Strengths: Tydlig rollfördelning" in text_of(screen.query_one("#area-texts"))
    ev = demo.get("botkyrka-2003")
    assert (ev.area("3").strengths, ev.area("3").improvements, ev.challenges) == (
        "Tydlig rollfördelning",
        "Chefsforum",
        "Ett slutord",
    )


async def test_area_level_evaluations_open_read_only_with_a_note(demo):
    async with make_app(demo, "kalix-2003").run_test(size=SIZE) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, OverviewScreen)
        assert "no sub-question scores" in text_of(screen.query_one("#area-level")).lower()
        await pilot.press("w")
        assert pilot.app.screen is screen
        assert text_of(screen.query_one("#totals")) == "Total 408 / 800 · area scores only"


async def test_delete_asks_and_no_keeps_it(demo):
    async with make_app(demo).run_test(size=SIZE) as pilot:
        await pilot.press("down")  # Kalix
        await pilot.press("d")
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("n")
        assert "kalix-2003" in demo.db.ids()
        await pilot.press("d", "enter")  # the focused button is No
        assert "kalix-2003" in demo.db.ids()
        await pilot.press("d", "y")
        await pilot.pause()
        assert "kalix-2003" not in demo.db.ids()
        assert isinstance(pilot.app.screen, HomeScreen) and pilot.app.screen.query_one("#evaluations").row_count == 4


async def test_export_proposes_a_path_and_writes_the_report(demo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    async with make_app(demo).run_test(size=SIZE) as pilot:
        await pilot.press("e")
        assert pilot.app.screen.query_one(Input).value == "./botkyrka-2003.md"
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()  # (written by a worker thread)
        await pilot.pause()
    assert "| **Total** | **639** | **800** |" in (tmp_path / "botkyrka-2003.md").read_text(encoding="utf-8")


async def test_the_overview_keeps_its_cursors_when_help_closes(demo):
    async with make_app(demo, "botkyrka-2003").run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter", "down", "down")  # area 2, then its third sub-question
        screen = pilot.app.screen
        assert screen.area.id == "2" and screen.questions.cursor == 2
        await pilot.press("f1")
        await pilot.press("escape")
        await pilot.pause()
        assert screen.area.id == "2" and screen.questions.cursor == 2
        await pilot.press("shift+tab", "down")  # another area starts at its first sub-question
        await pilot.pause()
        assert screen.area.id == "3" and screen.questions.cursor == 0


async def test_help_lists_the_keys_of_the_current_screen(bench):
    bench.create("Nacka", 2010)
    async with make_app(bench, "nacka-2010").run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")  # from the score field too
        assert isinstance(pilot.app.screen, HelpScreen)
        keys = text_of(pilot.app.screen.query_one("#keys"))
        for what in ("interview", "note", "unscored", "overview", "save"):
            assert what in keys
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, WalkthroughScreen)
        await pilot.press("f1")
        assert isinstance(pilot.app.screen, HelpScreen)


async def test_swedish_interface(demo):
    async with make_app(demo, "botkyrka-2003", lang="sv").run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert text_of(pilot.app.screen.query_one("#totals")) == "Totalt 639 / 800 · 37/37 bedömda"
        assert overview_areas(pilot.app.screen)[1] == "2 Tillgänglighet 76,5 ███████▋ 6/6"


def _ui_classes() -> list[type]:
    """Every class the app's modules define (found, not listed: a new screen is checked too)."""
    import importlib
    import inspect
    import pkgutil

    from kompass_tui import tui
    from kompass_tui.tui import screens

    names = [f"kompass_tui.tui.{m.name}" for m in pkgutil.iter_modules(tui.__path__) if m.name != "serve"]
    names += [f"kompass_tui.tui.screens.{m.name}" for m in pkgutil.iter_modules(screens.__path__)]
    found = []
    for name in names:
        module = importlib.import_module(name)
        found += [c for _, c in inspect.getmembers(module, inspect.isclass) if c.__module__ == name]
    return found


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_every_key_in_the_footer_has_words_in_both_languages(lang):
    from textual.screen import Screen

    from kompass_tui import i18n

    classes = _ui_classes()
    screens = {c.__name__ for c in classes if issubclass(c, Screen)}
    assert {"HomeScreen", "OverviewScreen", "WalkthroughScreen", "CompareScreen", "DisagreementScreen"} <= screens
    checked = 0
    for cls in classes:
        for binding in cls.__dict__.get("BINDINGS", []):
            assert binding.description.startswith("k_") and i18n.TEXTS[lang].get(binding.description), (cls, binding)
            checked += 1
    assert checked > 30


def cells(grid, key: str) -> list[str]:
    return [str(c).strip() for c in grid.get_row(key)]


async def test_comparison_view_of_the_nominees_matches_the_seed(demo):
    from kompass_tui.tui.screens.compare import CompareScreen

    async with make_app(demo, lang="sv").run_test(size=SIZE) as pilot:
        await pilot.press("c")  # nothing marked: every evaluation of the highlighted one's framework
        screen = pilot.app.screen
        assert isinstance(screen, CompareScreen)
        grid = screen.query_one("#comparison")
        assert [str(c.label).replace("\n", " ") for c in grid.columns.values()] == [
            "Kriterium",
            "Botkyrka 2003",
            "Kalix 2003",
            "Nacka 2003",
            "Trollhättan 2003",
            "Västerås 2003",
            "Medel",
        ]
        assert cells(grid, "total") == ["Totalt", "639*", "408", "525", "619", "522,5", "542,7"]
        assert cells(grid, "rank") == ["Placering", "1", "5", "3", "2", "4", ""]
        assert cells(grid, "3") == ["3 Samspel", "89,5", "55", "69", "93,5*", "73,5", "76,1"]
        await pilot.press("g")
        chart = text_of(screen.query_one("#grouped"))
        assert "3 Tydlighet i samspelet mellan politiker och tjänstemän" in chart and "Trollhättan" in chart
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, HomeScreen)


@pytest.fixture
def arboga(demo, tmp_path):
    """The demo, and Arboga 2020 in a framework of its own (mini), first in the list."""
    from kompass_tui.store import criteria

    mini = tmp_path / "mini.toml"
    mini.write_text(MINI_FRAMEWORK, encoding="utf-8")
    criteria.add(mini)
    demo.create("Arboga", 2020, "mini")
    return demo


async def test_marked_evaluations_are_compared_and_frameworks_are_not_mixed(arboga):
    from kompass_tui.tui.screens.compare import CompareScreen

    demo = arboga
    async with make_app(demo).run_test(size=SIZE) as pilot:
        await pilot.press("space")  # Arboga (mini), first in the list
        await pilot.press("c")
        assert not isinstance(pilot.app.screen, CompareScreen)  # one marked: asks for two
        await pilot.press("space")  # Botkyrka
        await pilot.press("c")
        screen = pilot.app.screen
        assert isinstance(screen, CompareScreen)
        assert "only evaluations of one framework can be compared" in text_of(screen.query_one("#compare-note"))
        assert not screen.query_one("#comparison").display
        await pilot.press("escape", "up", "up", "space")  # unmark Arboga, keep Botkyrka, mark Kalix
        await pilot.press("down", "space")
        await pilot.press("c")
        grid = pilot.app.screen.query_one("#comparison")
        assert cells(grid, "total") == ["Total", "639*", "408", "523.5"]


async def test_overview_shows_the_profile_the_change_and_the_trend(demo):
    later = demo.create("Botkyrka", 2008)
    for qid, score in (("1.1", "38"), ("1.2", "36"), ("1.3", "13")):
        demo.score(later.id, qid, Decimal(score))
    async with make_app(demo, "botkyrka-2003").run_test(size=SIZE) as pilot:
        screen = pilot.app.screen
        areas = overview_areas(screen)
        assert areas[0].startswith("1 Openness 83 ████████▎") and areas[7].startswith("8 Community 93 █████████▎")
        await pilot.press("escape")
        await pilot.press("down", "enter")  # Botkyrka 2008: not fully scored, so the walk-through opens
        await pilot.pause()
        assert pilot.app.screen.question.id == "2.1"
        await type_text(pilot, "10")
        await pilot.press("enter", "escape")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, OverviewScreen) and screen.eid == later.id
        # 2008 is not wholly scored: its total is not set against 2003's, nor its unfinished areas
        assert text_of(screen.query_one("#totals")) == "Total 97 / 800 · 4/37 scored"
        await pilot.press("p")
        await pilot.pause()
        chart = text_of(screen.query_one("#profile-chart"))
        assert "1 Openness 87┤" in chart and "2 Access † 10┤" in chart  # 2.1 of 6 scored: marked
        changes = plain(screen.query_one("#changes").content)
        assert "1 Openness" in changes and "+4" in changes and "−66.5" not in changes and "−542" not in changes
        assert "2003: 639" in text_of(screen.query_one("#trend")) and "2008: 97" in text_of(screen.query_one("#trend"))
        await pilot.press("escape")  # back to the lists, then home
        assert screen.query_one("#views").current == "panes"


async def test_a_full_disk_shows_the_error_keeps_the_file_and_stays(bench, monkeypatch):
    import errno
    import os

    bench.create("Nacka", 2010)
    bench.rows()  # the index up to date, as the app's first listing leaves it
    before = snapshot_files(bench.folder)
    async with make_app(bench, "nacka-2010").run_test(size=SIZE) as pilot:
        screen = pilot.app.screen

        def disk_full(*args, **kwargs):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(os, "replace", disk_full)
        await type_text(pilot, "12")
        await pilot.press("enter")  # accepted on screen at once; the save fails in the background
        pilot.app.flush()
        await pilot.pause()
        failures = [str(n.message) for n in pilot.app._notifications if n.severity == "error"]
        assert any("could not save nacka-2010: No space left on device; nothing was changed" in m for m in failures)
        await pilot.press("up")  # the screen shows what is stored again: 1.1 is not scored
        assert "(not scored," in text_of(screen.query_one("#score-label"))
        await pilot.press("n")
        await type_text(pilot, "lost?")  # a slow machine may try to save part of it already: fails too
        await pilot.press("escape")  # leaving the note saves it: the failure is shown, not swallowed
        pilot.app.flush()
        await pilot.pause()
        assert len([n for n in pilot.app._notifications if n.severity == "error"]) > len(failures)
        monkeypatch.undo()
    assert snapshot_files(bench.folder) == before


async def test_a_walkthrough_opened_from_the_overview_takes_in_what_the_overview_had_not_yet(demo):
    """The walk-through starts from the overview's copy and that copy's age: a save by another
    session just before is taken in at the next look, never overwritten by a note typed after."""
    async with make_app(demo, "botkyrka-2003", evaluator="Lena Langlet").run_test(size=SIZE) as pilot:
        await pilot.pause()
        demo.note("botkyrka-2003", "1.1", "piped in with kompass score --note -", by="Lena Langlet")
        await pilot.press("w")  # before the overview's next look
        pilot.app.check_outside_changes()
        await pilot.pause()
        note = pilot.app.screen.query_one("#note", TextArea)
        assert note.text == "piped in with kompass score --note -"
        await pilot.press("n", "end")
        await type_text(pilot, " ok")
        await pilot.press("escape")
        pilot.app.flush()
    assert (
        demo.get("botkyrka-2003").answer("1.1").entry("Lena Langlet").note == "piped in with kompass score --note - ok"
    )


async def test_the_look_for_other_sessions_saves_may_come_before_home_is_shown(demo):
    """On a loaded machine the two-second timer can fire between home being pushed and shown."""
    async with make_app(demo).run_test(size=SIZE) as pilot:
        home = HomeScreen()
        pilot.app.push_screen(home)  # not awaited: pushed, not yet composed or shown
        pilot.app.check_outside_changes()
        await pilot.pause()
        assert pilot.app.screen is home and home.query_one("#evaluations").row_count == 5


async def test_changes_by_another_session_show_up_and_are_not_overwritten(bench):
    bench.create("Nacka", 2010)
    other = Workbench(bench.folder)
    async with make_app(bench, "nacka-2010").run_test(size=SIZE) as pilot:
        screen = pilot.app.screen
        other.score("nacka-2010", "1.1", Decimal("25"), by="Bo")
        other.note("nacka-2010", "1.1", "From the other laptop", ["document"], by="Bo")
        other.score("nacka-2010", "1.2", Decimal("30"), by="Bo")
        pilot.app.check_outside_changes()  # what the two-second timer does
        await pilot.pause()
        assert text_of(screen.query_one("#others")) == "Bo 25"
        await pilot.press("i")  # our own edit of 1.1 keeps theirs
        await pilot.press("escape")
        pilot.app.flush()  # our save is done: the app takes in other sessions' saves only then
        await pilot.pause()
        overview = pilot.app.screen
        other.score("nacka-2010", "2.1", Decimal("5"))
        pilot.app.check_outside_changes()
        await pilot.pause()
        assert text_of(overview.query_one("#totals")).startswith("Total 60 / 800 · 3/37")
    ev = bench.get("nacka-2010")
    assert ev.answer("1.1").entry("Anna").sources == ("interview",)
    assert ev.answer("1.1").entry("Bo").note == "From the other laptop" and ev.answer("1.2").entry("Bo").score == 30


async def test_home_finds_by_municipality_year_and_framework_and_esc_shows_all_again(demo):
    async with make_app(demo).run_test(size=SIZE) as pilot:
        home = pilot.app.screen
        listing = home.query_one("#evaluations")
        await pilot.press("slash", *"TROLL 2003")
        assert listing.ids == ["trollhattan-2003"] and home.sub_title == "1 of 5 evaluations"
        await pilot.press("enter")  # back to the list, still found
        assert listing.has_focus and listing.highlighted_id == "trollhattan-2003"
        await pilot.press("enter")
        assert isinstance(pilot.app.screen, OverviewScreen) and pilot.app.screen.eid == "trollhattan-2003"
        await pilot.press("escape")
        await pilot.press("slash", *"2019")
        assert listing.ids == [] and home.sub_title == "0 of 5 evaluations"
        await pilot.press("escape")
        assert listing.row_count == 5 and listing.has_focus and not home.query_one("#filter").display


async def test_a_large_database_is_listed_off_the_screen_s_thread(demo, monkeypatch):
    monkeypatch.setattr(HomeScreen, "SMALL", 0)  # as 14,500 evaluations are
    listed_on = []
    rows = demo.rows

    def watched():
        listed_on.append(threading.current_thread() is threading.main_thread())
        return rows()

    monkeypatch.setattr(demo, "rows", watched)
    async with make_app(demo).run_test(size=SIZE) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        listing = pilot.app.screen.query_one("#evaluations")
        assert listing.row_count == 5 and pilot.app.screen.sub_title == "5 evaluations"
        assert listed_on and not any(listed_on)  # never on the UI thread
        await pilot.press("end")
        assert listing.highlighted_id == "vasteras-2003"
        await pilot.press("home", "pagedown")
        assert listing.highlighted_id == "vasteras-2003"  # a page is more than five rows


async def test_the_list_draws_only_the_rows_on_screen():
    """A RowList of 14,500 rows draws a screenful: rows are made when first drawn."""
    from textual.app import App

    from kompass_tui.tui.rowlist import RowList

    drawn = []

    def draw(row_id: str) -> Text:
        drawn.append(row_id)
        return Text(f"row {row_id}")

    class One(App[None]):
        def compose(self):
            yield RowList()

        def on_mount(self) -> None:
            self.query_one(RowList).set_rows([str(n) for n in range(14_500)], draw)

    async with One().run_test(size=SIZE) as pilot:
        rows = pilot.app.query_one(RowList)
        await pilot.pause()
        assert len(set(drawn)) <= SIZE[1]
        rows.focus()
        await pilot.press("end")
        await pilot.pause()
        assert rows.highlighted_id == "14499" and len(set(drawn)) <= 2 * SIZE[1]


async def test_a_wrapped_list_wraps_its_rows_keeps_the_figure_on_the_first_line_and_shows_pages_alike():
    """Each row's whole text over as many lines as it needs, its figure right-aligned on the first;
    every page as high as the highest (showing another lays nothing out), scrolled no further than
    its own lines."""
    from textual.app import App

    from kompass_tui.tui.rowlist import WrappedList

    long = "Does the municipality have a user-oriented philosophy of administration?"
    pages = {
        "long": [("2.1", Text(f"2.1 {long}"), "9,5 / 10"), ("2.2", Text("2.2 Short"), "15 / 20")] * 3,
        "short": [("3.1", Text("3.1 One line"), "4 / 10")],
    }

    class One(App[None]):
        CSS = "WrappedList { width: 30; height: 8; padding: 0; }"

        def compose(self):
            yield WrappedList()

        def on_mount(self) -> None:
            self.query_one(WrappedList).set_pages(pages)
            self.query_one(WrappedList).show_page("long")

    async with One().run_test(size=SIZE) as pilot:
        await pilot.pause()
        wrapped = pilot.app.query_one(WrappedList)
        width = wrapped.scrollable_content_region.width
        first, *rest = wrapped.lines[: wrapped.lines.index("2.2 Short".ljust(width - 8) + " 15 / 20")]
        assert first.endswith(" 9,5 / 10") and len(first) == width
        assert " ".join(f"{first[: -len('9,5 / 10')]} {' '.join(rest)}".split()) == f"2.1 {long}"
        assert all(len(line) <= width for line in wrapped.lines)
        tall = wrapped.virtual_size
        assert wrapped.max_scroll_y > 0
        wrapped.show_page("short")
        await pilot.pause()
        assert wrapped.virtual_size == tall and wrapped.max_scroll_y == 0
        assert wrapped.lines == ["3.1 One line".ljust(width - 7) + " 4 / 10"]


async def test_a_large_group_is_compared_one_municipality_a_row_by_rank(demo, monkeypatch):
    from kompass_tui.exchange import tables
    from kompass_tui.tui.screens.compare import CompareScreen

    monkeypatch.setattr(tables, "WIDE", 2)  # as hundreds of municipalities are
    async with make_app(demo).run_test(size=SIZE) as pilot:
        await pilot.press("c")  # nothing marked: the whole framework
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, CompareScreen)
        grid = screen.query_one("#comparison", DataTable)
        assert grid.row_count == 5 + 1  # five municipalities and the average
        first = [plain(c).strip() for c in grid.get_row_at(0)]
        assert first[:2] == ["1", "Botkyrka 2003"] and first[-2] == "639*"
        assert [plain(c).strip() for c in grid.get_row_at(5)][1] == "Average"
        await pilot.press("g")  # no chart of hundreds of bars
        assert screen.query_one("#compare-views").current == "table-view"


async def test_each_area_shows_its_own_sub_questions_after_moves_resizes_and_scrolling(demo):
    def shown(screen) -> tuple[str, str]:
        """The area whose sub-questions are listed (by the list's title), and its first sub-question."""
        questions = screen.questions
        assert questions.page == str(questions.border_title).split()[0]
        assert questions.scroll_offset.y <= max(0, len(questions.lines) - questions.scrollable_content_region.height)
        return questions.page, questions.ids[0]

    async with make_app(demo, "botkyrka-2003").run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        assert shown(screen) == ("1", "1.1")
        await pilot.press("down", "down", "down")
        assert shown(screen) == ("4", "4.1") and screen.area.id == "4"
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert shown(screen) == ("4", "4.1")
        await pilot.press("enter")  # into area 4's list, then the wheel far past its end
        for _ in range(30):
            await pilot._post_mouse_events([events.MouseScrollDown], widget=screen.questions)
        await pilot.pause()
        assert shown(screen) == ("4", "4.1") and pilot.app.focused is screen.questions
        await pilot.press("shift+tab", "up")
        assert shown(screen) == ("3", "3.1")


async def test_a_re_evaluation_shows_the_last_rounds_score_and_note_and_keeps_its_framework(demo):
    demo.consensus("botkyrka-2003", "1.1", Decimal(34), by="Lena")
    demo.note("botkyrka-2003", "1.1", "Kommunens webb och lokaltidningen.")
    result = CliRunner().invoke(cli_app, ["new", "Botkyrka", "--year", "2008", "--db", str(demo.folder)])
    assert result.stdout.strip() == "botkyrka-2008"
    assert "framework kommunkompassen-2003, as in Botkyrka's last evaluation" in result.stderr
    async with make_app(demo, "botkyrka-2008").run_test(size=SIZE) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, WalkthroughScreen) and screen.question.id == "1.1"
        assert text_of(screen.query_one("#others")).startswith("2003: 34")
        await pilot.press("l")
        await pilot.pause()
        shown = list(pilot.app._notifications)
        assert any("Kommunens webb och lokaltidningen." in n.message for n in shown)
        await pilot.press("down")
        assert text_of(screen.query_one("#others")).startswith("2003: 36")


async def test_the_last_round_key_is_not_offered_in_a_first_evaluation(demo):
    async with make_app(demo, "botkyrka-2003").run_test(size=SIZE) as pilot:
        await pilot.press("w")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, WalkthroughScreen) and screen.before is None
        assert screen.check_action("last_round", ()) is False


async def test_the_new_dialog_follows_the_municipalitys_last_framework_until_one_is_chosen(arboga):
    from textual.widgets import Select

    async with make_app(arboga).run_test(size=SIZE) as pilot:
        await pilot.press("n")
        dialog = pilot.app.screen
        assert isinstance(dialog, NewEvaluationScreen)
        select = dialog.query_one("#framework", Select)
        assert select.value == "kommunkompassen-2003"
        await type_text(pilot, "arboga")
        await pilot.pause()
        assert (
            select.value == "mini" and text_of(dialog.query_one("#framework-note")) == "As in arboga's last evaluation."
        )
        await type_text(pilot, "x")  # Arbogax: none before, the default again
        await pilot.pause()
        assert select.value == "kommunkompassen-2003" and text_of(dialog.query_one("#framework-note")) == ""


async def test_the_new_dialog_asks_before_a_second_evaluation_of_the_same_municipality_and_year(demo):
    async with make_app(demo).run_test(size=SIZE) as pilot:
        for answer in ("n", "y"):
            await pilot.press("n")
            await type_text(pilot, "Botkyrka")
            await pilot.press("tab", "ctrl+u")
            await type_text(pilot, "2003")
            await pilot.click("#create")
            await pilot.pause()
            dialog = pilot.app.screen
            assert isinstance(dialog, ConfirmScreen) and dialog.question.startswith("Botkyrka 2003 is there already.")
            await pilot.press(answer)
            await pilot.pause()
            if answer == "n":
                assert isinstance(pilot.app.screen, NewEvaluationScreen)
                assert [row.id for row in demo.rows() if row.municipality == "Botkyrka"] == ["botkyrka-2003"]
                await pilot.press("escape")
    assert [row.id for row in demo.rows() if row.municipality == "Botkyrka"] == ["botkyrka-2003", "botkyrka-2003-2"]


async def test_on_a_team_you_are_not_on_the_app_asks_who_you_are_before_the_first_edit(bench):
    from kompass_tui.tui.screens.dialogs import ChoiceScreen

    bench.create("Botkyrka", 2026, evaluators=["Anna Berg", "Omar Said"])
    async with make_app(bench, evaluator="root").run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, ChoiceScreen) and dialog.message.startswith("Who are you? Botkyrka 2026's team is")
        assert [key for key, _ in dialog.choices] == ["1", "2", "a"]
        await pilot.press("2")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, WalkthroughScreen) and pilot.app.evaluator == "Omar Said"
        assert text_of(screen.query_one(TitleBar)).endswith("· Omar Said")
        await type_text(pilot, "30")
        await pilot.press("enter", "escape")
        await pilot.pause()
        await pilot.press("y")  # switch: joining as root is not offered now that one is chosen
        await pilot.pause()
        assert [key for key, _ in pilot.app.screen.choices] == ["1", "2"]
        await pilot.press("escape")
        pilot.app.flush()
    ev = bench.get("botkyrka-2026")
    assert ev.evaluators == ("Anna Berg", "Omar Said") and ev.answer("1.1").entry("Omar Said").score == 30


async def test_joining_the_team_from_the_question_makes_you_a_member(bench):
    bench.create("Botkyrka", 2026, evaluators=["Anna Berg"])
    async with make_app(bench, evaluator="Lena").run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(pilot.app.screen, WalkthroughScreen)
        await type_text(pilot, "12")
        await pilot.press("enter")
        pilot.app.flush()
    ev = bench.get("botkyrka-2026")
    assert ev.evaluators == ("Anna Berg", "Lena") and ev.answer("1.1").entry("Lena").score == 12


async def test_the_export_dialog_chooses_format_language_audience_and_comparison(demo, tmp_path, monkeypatch):
    from textual.widgets import Checkbox, Select

    from kompass_tui.tui.screens.export import ExportScreen

    monkeypatch.chdir(tmp_path)
    demo.score("botkyrka-2003", "1.1", Decimal(30), by="Lena Langlet", note="Egen anteckning.")
    async with make_app(demo, lang="sv").run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("space", "space")  # mark Botkyrka and Kalix; the cursor is on Nacka
        await pilot.press("up", "up", "e")  # export Botkyrka, Kalix marked to compare with
        dialog = pilot.app.screen
        assert isinstance(dialog, ExportScreen) and dialog.others == ["kalix-2003"]
        dialog.query_one("#audience", Select).value = "internal"
        dialog.query_one("#lang", Select).value = "en"
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        report = (tmp_path / "botkyrka-2003.md").read_text(encoding="utf-8")
        assert "| Area | Botkyrka 2003 | Kalix 2003 | Average |" in report
        assert "## Working papers" in report and "Egen anteckning." in report
        await pilot.press("e")
        dialog = pilot.app.screen
        dialog.query_one("#format", Select).value = "csv"
        await pilot.pause()
        assert dialog.query_one("#path", Input).value == "./botkyrka-2003.csv"
        assert dialog.query_one("#audience", Select).disabled
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        assert (tmp_path / "botkyrka-2003.csv").exists()
        await pilot.press("e", "enter")  # the report again: asked before it is replaced
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.press("e")  # the action plan alone, as CSV for the municipality's follow-up
        dialog = pilot.app.screen
        dialog.query_one("#format", Select).value = "csv"
        dialog.query_one("#actions", Checkbox).value = True
        await pilot.pause()
        assert dialog.query_one("#path", Input).value == "./botkyrka-2003-handlingsplan.csv"
        dialog.query_one("#format", Select).value = "json"  # (no action plan alone in JSON)
        await pilot.pause()
        assert dialog.query_one("#actions", Checkbox).disabled
        assert dialog.query_one("#path", Input).value == "./botkyrka-2003.json"
        dialog.query_one("#format", Select).value = "csv"
        await pilot.pause()
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
    plan = (tmp_path / "botkyrka-2003-handlingsplan.csv").read_text(encoding="utf-8-sig")
    assert plan.startswith("åtgärd;område;utvecklingsområde;rubrik")
    assert "## Working papers" in (tmp_path / "botkyrka-2003.md").read_text(encoding="utf-8")  # kept


async def test_a_browser_session_is_asked_who_it_is_once_per_evaluation_even_as_a_member(bench):
    from kompass_tui.tui.app import KompassApp
    from kompass_tui.tui.screens.dialogs import ChoiceScreen

    bench.create("Botkyrka", 2026, evaluators=["Anna Berg", "Omar Said"])
    app = KompassApp(bench, "en", cursor_blink=False, evaluator="Anna Berg", ask_who=True)  # as kompass serve runs it
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen) and [k for k, _ in app.screen.choices] == ["1", "2"]
        await pilot.press("2")
        await pilot.pause()
        assert app.evaluator == "Omar Said"
        await pilot.press("escape")  # the walk-through, then the overview, then home
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("enter")  # the same evaluation again: not asked twice
        await pilot.pause()
        assert not isinstance(app.screen, ChoiceScreen)


async def test_scoring_an_evaluation_without_a_team_says_you_join_it(bench):
    bench.create("Nacka", 2026)
    async with make_app(bench, "nacka-2026", evaluator="Anna Berg").run_test(size=SIZE) as pilot:
        await type_text(pilot, "12")
        await pilot.press("enter")
        await pilot.pause()
        said = [n.message for n in pilot.app._notifications]
        assert "Anna Berg joins the team of Nacka 2026: Anna Berg." in said
        await type_text(pilot, "5")
        await pilot.press("enter")
        await pilot.pause()
        assert [n.message for n in pilot.app._notifications].count(
            "Anna Berg joins the team of Nacka 2026: Anna Berg."
        ) == 1
        pilot.app.flush()
