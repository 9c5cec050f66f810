"""The app on a shared database (issue 18): F5 (and the palette) syncs on a worker thread, what
comes in shows as another session's change, and the title bar counts what is not shared."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal

import pytest
from pilot import SIZE, make_app

from kompass_tui.service import Workbench
from kompass_tui.service.sync import Sync
from kompass_tui.tui.widgets import TitleBar

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def pair(tmp_path):
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    anna, omar = Workbench(tmp_path / "anna"), Workbench(tmp_path / "omar")
    ev = anna.create("Nacka", 2026, evaluators=["Anna", "Omar"])
    Sync(anna).setup(str(remote), "Anna")
    Sync(omar).setup(str(remote), "Omar")
    return anna, omar, ev.id


async def test_f5_syncs_and_what_comes_in_is_shown(pair):
    anna, omar, eid = pair
    omar.score(eid, "1.1", Decimal(12), by="Omar")
    Sync(omar).sync("Omar")
    app = make_app(anna)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.press("f5")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert any("1 received" in str(n.message) for n in app._notifications)
    assert anna.get(eid).answer("1.1").entry("Omar").score == 12


async def test_the_title_bar_counts_what_is_not_shared(pair):
    anna, _, eid = pair
    app = make_app(anna)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        anna.score(eid, "1.1", Decimal(3), by="Anna")  # (as another session would)
        app._status_soon()  # (what a save of the app's own does: the count, a moment later)
        assert app._status_due
        app.run_worker(app._sync_status, thread=True)  # (that moment, now)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        title = str(app.screen.query_one(TitleBar).render())
        assert "1 change not shared" in title
        await pilot.press("f5")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert "not shared" not in str(app.screen.query_one(TitleBar).render())


async def test_f5_is_offered_in_help_only_where_the_database_is_shared(bench, pair):
    from kompass_tui.tui.keys import commands

    for shared, workbench in ((False, bench), (True, pair[0])):
        app = make_app(workbench)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.check_action("sync", ()) is shared
            assert any(c.action == "sync" for c in commands(app.screen)) is shared  # F1 and the palette
            await pilot.press("f5")  # (not shared: nothing happens)
            await pilot.app.workers.wait_for_complete()


async def test_h_in_the_walkthrough_shows_who_changed_the_sub_question(pair):
    from kompass_tui.tui.screens.dialogs import InfoScreen
    from kompass_tui.tui.screens.walkthrough import WalkthroughScreen

    anna, omar, eid = pair
    omar.score(eid, "1.1", Decimal(12), by="Omar")
    Sync(omar).sync("Omar")
    Sync(anna).sync("Anna")
    app = make_app(anna, eid, evaluator="Anna")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        assert isinstance(app.screen, WalkthroughScreen) and app.screen.question.id == "1.1"
        await pilot.press("h")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, InfoScreen)
        assert "Omar" in app.screen.copy_text() and "1.1 12" in app.screen.copy_text()
