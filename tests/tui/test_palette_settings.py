"""The command palette, the settings that persist, and copying (issue 14)."""

from __future__ import annotations

import pytest
from pilot import SIZE, make_app, type_text
from typer.testing import CliRunner

from kompass_tui.cli import app as cli_app
from kompass_tui.paths import settings_file
from kompass_tui.store import settings as stored
from kompass_tui.tui.screens.dialogs import NameScreen
from kompass_tui.tui.screens.overview import OverviewScreen
from kompass_tui.tui.screens.walkthrough import WalkthroughScreen


def titles(app) -> list[str]:
    return [command.title for command in app.get_system_commands(app.screen)]


async def test_the_palette_offers_the_screens_commands_in_the_ui_language_and_runs_them(demo):
    async with make_app(demo, "botkyrka-2003", lang="sv").run_test(size=SIZE) as pilot:
        await pilot.pause()
        offered = titles(pilot.app)
        for title in ("Genomgång", "Styrkor", "Summering", "Slutord", "Profil", "Oenighet", "Vem är jag", "Hjälp"):
            assert title in offered
        for title in ("Tema", "Language: English", "Ditt namn", "Avsluta"):
            assert title in offered
        assert not {"Keys", "Maximize", "Screenshot", "Theme"} & set(offered)  # Textual's own, in English
        await pilot.press("ctrl+p")
        await type_text(pilot, "genomg")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, WalkthroughScreen)


async def test_area_level_evaluations_offer_no_walk_through_and_show_none_in_the_footer(demo):
    async with make_app(demo, "kalix-2003").run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(pilot.app.screen, OverviewScreen)
        assert "Walk-through" not in titles(pilot.app) and "Disagreements" not in titles(pilot.app)
        shown = {b.binding.action for b in pilot.app.screen.active_bindings.values() if b.enabled}
        assert not {"walkthrough", "disagreements"} & shown


async def test_language_from_the_palette_is_kept_and_the_screens_speak_it(demo):
    async with make_app(demo, "botkyrka-2003").run_test(size=SIZE) as pilot:
        await pilot.pause()
        pilot.app.set_language("sv")
        await pilot.pause()
        assert pilot.app.lang == "sv" and isinstance(pilot.app.screen, OverviewScreen)
        assert "Genomgång" in titles(pilot.app)
        assert pilot.app.get_key_display  # the app's own keys in Swedish too
        assert any(b.description == "hjälp" for b in pilot.app._bindings.key_to_bindings["f1"])
    assert stored.load(settings_file())[0].lang == "sv"


async def test_a_theme_chosen_is_there_at_the_next_start(demo):
    async with make_app(demo).run_test(size=SIZE) as pilot:
        pilot.app.theme = "gruvbox"
        await pilot.pause()
    assert stored.load(settings_file())[0].theme == "gruvbox"
    async with make_app(demo).run_test(size=SIZE) as pilot:
        assert pilot.app.theme == "gruvbox"


async def test_a_keymap_in_the_settings_remaps_a_key(demo):
    settings_file().parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    settings_file().write_text('[keymap]\n"kompass.overview.profile" = "f5"\n', encoding="utf-8")
    settings_file().chmod(0o600)
    async with make_app(demo, "botkyrka-2003").run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("p")  # no longer the profile's key
        assert pilot.app.screen.query_one("#views").current == "panes"
        await pilot.press("f5")
        assert pilot.app.screen.query_one("#views").current == "profile"


async def test_your_name_from_the_palette_is_kept_and_scores_are_yours(demo, monkeypatch):
    async with make_app(demo, "botkyrka-2003").run_test(size=SIZE) as pilot:
        await pilot.pause()
        pilot.app.action_name()
        await pilot.pause()
        assert isinstance(pilot.app.screen, NameScreen)
        await pilot.press("ctrl+u")
        await type_text(pilot, "Omar Said")
        await pilot.press("enter")
        await pilot.pause()
        assert pilot.app.evaluator == "Omar Said"
    assert stored.load(settings_file())[0].name == "Omar Said"
    monkeypatch.delenv("KOMPASS_AS", raising=False)
    from kompass_tui.service import evaluator

    assert evaluator()[0] == "Omar Said"  # the settings' name, where no --as and no $KOMPASS_AS
    monkeypatch.setenv("KOMPASS_AS", "Anna Berg")
    assert evaluator()[0] == "Anna Berg" and evaluator("Lena")[0] == "Lena"


@pytest.mark.parametrize(
    ("environment", "option", "expected"),
    [({}, [], "Kommun"), ({"KOMPASS_LANG": "en"}, [], "Municipality"), ({}, ["--lang", "en"], "Municipality")],
)
def test_language_precedence_option_then_environment_then_settings_then_locale(
    demo, monkeypatch, environment, option, expected
):
    stored.save(settings_file(), lang="sv")
    monkeypatch.delenv("KOMPASS_LANG")
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    out = CliRunner().invoke(cli_app, ["list", *option, "--db", str(demo.folder)])
    assert out.exit_code == 0 and expected in out.stdout.splitlines()[0]


async def test_copy_takes_the_selection_or_the_note_and_ctrl_c_copies_a_selection_instead_of_quitting(bench):
    bench.create("Nacka", 2010)
    async with make_app(bench, "nacka-2010").run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await type_text(pilot, "Intervju med kommunchefen")
        await pilot.press("ctrl+o")  # nothing selected: the whole note
        assert pilot.app.clipboard == "Intervju med kommunchefen"
        await pilot.press("shift+left", "shift+left", "shift+left", "shift+left", "shift+left")
        await pilot.press("ctrl+c")  # a selection: copied, and the app goes on
        assert pilot.app.clipboard == "hefen" and pilot.app.is_running
        await pilot.press("right", "ctrl+c")  # nothing selected: ctrl+c quits
        await pilot.pause()
        assert not pilot.app.is_running
