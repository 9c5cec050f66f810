"""Several evaluators, one consensus: own scores, disagreements, merging offline work, the browser."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from decimal import Decimal

import pytest
from helpers import SEED_QUESTIONS
from pilot import make_app, text_of
from typer.testing import CliRunner

from kompass_tui.cli import app
from kompass_tui.core import consensus, edits, scoring
from kompass_tui.errors import InputError
from kompass_tui.service import Workbench

# Inga-Lill's own scores where they differ from Lena's (who scored as the seed): spreads 5, 2, 0.5.
INGA_LILL = {"6.5": "5", "1.1": "36", "2.1": "9"}


def run(*args, code=0):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


@pytest.fixture
def team(bench):
    """Botkyrka 2003 scored by two evaluators on their own: Lena as the seed, Inga-Lill as the
    seed except three sub-questions."""
    ev = bench.create("Botkyrka", 2003, evaluators=["Lena Langlet", "Inga-Lill Elwin"])
    for qid, score in SEED_QUESTIONS.items():
        bench.score(ev.id, qid, Decimal(score), by="Lena Langlet")
        bench.score(ev.id, qid, Decimal(INGA_LILL.get(qid, score)), by="Inga-Lill Elwin")
    bench.note(ev.id, "6.5", "Inget chefsprogram med näringslivet.", by="Lena Langlet")
    bench.note(ev.id, "6.5", "Auskultation på Alfa Laval nämndes.", by="Inga-Lill Elwin")
    return bench


def test_own_scores_are_kept_apart_and_the_disagreements_come_largest_spread_first(team, fw):
    ev, fw, found = team.disagreements("botkyrka-2003")
    assert [(d.question.id, str(d.spread)) for d in found] == [("6.5", "5"), ("1.1", "2"), ("2.1", "0.5")]
    first = found[0]
    assert first.scores == {"Lena Langlet": Decimal(0), "Inga-Lill Elwin": Decimal(5)}
    assert first.notes["Inga-Lill Elwin"] == "Auskultation på Alfa Laval nämndes."
    # Without a consensus the three disagreements count as not yet scored.
    assert str(scoring.progress(ev, fw)) == "34/37"
    assert scoring.total(ev, fw) == Decimal(639) - 0 - 34 - Decimal("9.5")
    assert str(first.middle) == "2.5" and str(found[2].middle) == "9"  # 9.25 -> nearest half, ties to even


def test_setting_the_consensus_gives_the_seeds_639(team, fw):
    for qid in INGA_LILL:
        team.consensus("botkyrka-2003", qid, Decimal(SEED_QUESTIONS[qid]), by="Lena Langlet")
    ev = team.get("botkyrka-2003")
    assert scoring.total(ev, fw) == Decimal(639) and str(scoring.progress(ev, fw)) == "37/37"
    assert ev.answer("6.5").decided_by == "Lena Langlet" and ev.answer("6.5").entry("Inga-Lill Elwin").score == 5
    assert len(consensus.disagreements(ev, fw)) == 3  # still listed, now with their consensus


def test_the_cli_lists_disagreements_and_sets_the_consensus(team):
    out = run("disagreements", "botkyrka-2003", "--lang", "sv", "--db", team.folder).stdout
    rows = [line.split()[0] for line in out.split("\n\n")[1].splitlines() if re.match(r"^\d\.\d ", line)]
    assert rows == ["6.5", "1.1", "2.1"]
    assert "6.5 Inga-Lill Elwin: Auskultation på Alfa Laval nämndes." in out
    for qid in INGA_LILL:
        run("consensus", "botkyrka-2003", qid, SEED_QUESTIONS[qid], "--as", "Lena Langlet", "--db", team.folder)
    assert (
        "| **Totalt** | **639** | **800** |"
        in run("export", "botkyrka-2003", "--lang", "sv", "--db", team.folder).stdout
    )
    run("consensus", "botkyrka-2003", "6.5", "none", "--as", "lena langlet", "--db", team.folder)
    assert team.get("botkyrka-2003").answer("6.5").score is None


def test_the_municipalitys_report_holds_the_consensus_and_the_working_papers_only_the_internal_one(team):
    team.consensus("botkyrka-2003", "6.5", Decimal("0"), by="Lena Langlet")
    team.note("botkyrka-2003", "2.1", "Brukarenkät varje år.", by="Lena Langlet")
    public = run("export", "botkyrka-2003", "--lang", "sv", "--no-charts", "--db", team.folder).stdout
    for private in ("Lena Langlet", "Inga-Lill Elwin", "Auskultation", "Inget chefsprogram", "Brukarenkät"):
        assert private not in public.split("- **Utvärderare:**")[1].split("\n", 1)[1], private
    assert "Arbetsmaterial" not in public and "Utvärderarnas poäng" not in public
    internal = run("export", "botkyrka-2003", "--lang", "sv", "--no-charts", "--internal", "--db", team.folder).stdout
    assert internal.startswith(public.rstrip("\n"))  # the municipality's document, then the working papers
    papers = internal.split("## Arbetsmaterial (för utvärderingsteamet, inte kommunen)")[1]
    assert "- 6.5 Inga-Lill Elwin: Auskultation på Alfa Laval nämndes." in papers
    settled = papers.split("### Oenigheter och hur de avgjordes")[1].split("###")[0]
    assert "| Delfråga | Lena Langlet | Inga-Lill Elwin | Konsensus |" in settled
    assert "| 6.5 " in settled and "| 0 | 5 | 0 |" in settled and "| 34 | 36 | ej avgjord |" in settled
    scores = papers.split("### Utvärderarnas poäng")[1]
    assert "| Delfråga | Lena Langlet | Inga-Lill Elwin | Konsensus | Poäng |" in scores
    assert "| 6.5 | 0 | 5 | 0 | 0 |" in scores and "| 1.1 | 34 | 36 | – | – |" in scores
    refused = run("export", "botkyrka-2003", "-F", "csv", "--internal", "--db", team.folder, code=1)
    assert "--internal goes with the report (-F md, html, pdf, docx)" in refused.stderr


def test_a_team_of_one_has_its_notes_in_the_municipalitys_report(bench):
    ev = bench.create("Nacka", 2010)
    bench.score(ev.id, "1.1", Decimal(30), by="Anna", note="Webben uppdateras varje vecka.", sources=["website"])
    out = run("export", ev.id, "--lang", "sv", "--no-charts", "--db", bench.folder).stdout
    assert "- 1.1 (webb): Webben uppdateras varje vecka." in out


async def test_the_app_sets_a_consensus_with_one_key_per_question(team):

    from kompass_tui.tui.screens.disagreements import DisagreementScreen

    async with make_app(team, "botkyrka-2003", evaluator="Lena Langlet").run_test(size=(80, 24)) as pilot:
        await pilot.pause()  # Lena has scored everything: the overview opens, no walk-through
        await pilot.press("d")
        screen = pilot.app.screen
        assert isinstance(screen, DisagreementScreen)
        assert [d.question.id for d in screen.found] == ["6.5", "1.1", "2.1"]
        assert "Inga-Lill Elwin (5): Auskultation" in text_of(screen.query_one("#notes"))
        await pilot.press("1", "down", "1", "down", "1")  # Lena's score, three times
        await pilot.press("escape")
        pilot.app.flush()
        await pilot.pause()
        assert text_of(pilot.app.screen.query_one("#totals")).startswith("Total 639 / 800 · 37/37")


async def test_the_disagreement_list_takes_in_a_score_changed_in_another_session(team):

    async with make_app(team, "botkyrka-2003", evaluator="Lena Langlet").run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("d")  # 6.5 first: Lena 0, Inga-Lill 5
        team.score("botkyrka-2003", "6.5", Decimal("2"), by="Inga-Lill Elwin")  # her own laptop, during the meeting
        pilot.app.check_outside_changes()  # what the app's timer does
        await pilot.pause()
        screen = pilot.app.screen
        assert {d.question.id: d.scores["Inga-Lill Elwin"] for d in screen.found}["6.5"] == 2
        assert screen.current.question.id == "6.5"  # the spreads tie now (2, 2, 0.5): still on 6.5
        await pilot.press("2")  # take Inga-Lill's score
        pilot.app.flush()
    answer = team.get("botkyrka-2003").answer("6.5")
    assert answer.score == answer.entry("Inga-Lill Elwin").score == 2


def test_an_evaluator_removes_only_their_own_score_from_the_cli(team):
    assert (
        run("score", "botkyrka-2003", "6.5", "none", "--as", "Inga-Lill Elwin", "--db", team.folder).stdout
        == "botkyrka-2003 6.5 = none (Inga-Lill Elwin)\n"
    )
    answer = team.get("botkyrka-2003").answer("6.5")
    assert answer.entry("Inga-Lill Elwin").score is None and answer.entry("Lena Langlet").score is not None


def test_the_walkthrough_edits_the_evaluators_own_entry(team):
    from kompass_tui.core import team as teams

    ev, fw = team.get_with_framework("botkyrka-2003")
    with pytest.raises(InputError, match="Omar Said is not on the team of botkyrka-2003"):
        edits.score("3.1", Decimal(30), by="Omar Said")(ev, fw, "2026-11-27T10:00:00+00:00")
    ev = teams.add("Omar Said")(ev, fw, "2026-11-27T10:00:00+00:00")
    ev = edits.score("3.1", Decimal(30), by="omar said")(ev, fw, "2026-11-27T10:00:00+00:00")
    assert ev.evaluators == ("Lena Langlet", "Inga-Lill Elwin", "Omar Said")
    assert ev.answer("3.1").entry("Lena Langlet").score == Decimal("28.5")
    assert scoring.next_unscored(ev, fw, by="Omar Said") == "1.1"


# -- offline work ---------------------------------------------------------------------------------


def test_merging_two_laptops_loses_nothing_and_says_which_edit_it_kept(tmp_path, clock):
    lena, inga = Workbench(tmp_path / "lena"), Workbench(tmp_path / "inga")
    ev = lena.create("Botkyrka", 2003, evaluators=["Lena Langlet", "Inga-Lill Elwin"])
    lena.score(ev.id, "1.1", Decimal("34"), by="Lena Langlet")
    lena.area_text(ev.id, "1", "strengths", "Dialog med medborgarna")
    shared = tmp_path / "start.json"
    shared.write_text(lena.export(ev.id, "json", "sv"), encoding="utf-8")
    inga.import_file(shared)  # both laptops start from the same copy
    # Apart: each scores and notes; Lena also corrects 1.1 on Inga-Lill's laptop, later.
    lena.score(ev.id, "1.2", Decimal("36"), by="Lena Langlet")
    lena.note(ev.id, "1.2", "Rådslag Botkyrka", ["interview"], by="Lena Langlet")
    inga.score(ev.id, "1.1", Decimal("36"), by="Inga-Lill Elwin")
    inga.note(ev.id, "1.1", "Hemsidan är bra", ["website"], by="Inga-Lill Elwin")
    lena.score(ev.id, "2.1", Decimal("9.5"), by="Lena Langlet")
    clock.tick()  # entry times have whole seconds: the later edit must be later
    inga.score(ev.id, "2.1", Decimal("9"), by="Lena Langlet")
    inga.area_text(ev.id, "1", "strengths", "Områdesgrupperna")
    theirs = tmp_path / "inga.json"
    theirs.write_text(inga.export(ev.id, "json", "sv"), encoding="utf-8")

    out = run("merge", theirs, "--db", tmp_path / "lena").stdout
    assert f"2.1: Lena Langlet's entry was edited in both; kept the newer from {theirs}" in out
    assert f"area 1: the strengths differ: this copy's is kept, {theirs}'s is in the working papers" in out
    merged = lena.get(ev.id)
    assert merged.answer("1.1").entry("Lena Langlet").score == 34
    assert (
        merged.answer("1.1").entry("Inga-Lill Elwin").score,
        merged.answer("1.1").entry("Inga-Lill Elwin").note,
    ) == (36, "Hemsidan är bra")
    assert (merged.answer("1.2").entry("Lena Langlet").note, merged.answer("1.2").entry("Lena Langlet").sources) == (
        "Rådslag Botkyrka",
        ("interview",),
    )
    assert merged.answer("2.1").entry("Lena Langlet").score == 9
    assert merged.area("1").strengths == "Dialog med medborgarna"  # no marker, no second text written into it
    assert merged.other_versions == (("area 1 strengths", str(theirs), "Områdesgrupperna"),)
    public = run("export", ev.id, "--lang", "sv", "--no-charts", "--db", tmp_path / "lena").stdout
    internal = run("export", ev.id, "--lang", "sv", "--no-charts", "--internal", "--db", tmp_path / "lena").stdout
    assert "Områdesgrupperna" not in public and str(theirs) not in public
    assert "### Andra versioner av texterna (från en sammanslagning)" in internal and "Områdesgrupperna" in internal
    # Merging the same file again changes nothing and says nothing.
    assert run("merge", theirs, "--db", tmp_path / "lena").stdout == f"merged {theirs} into {ev.id}\n"
    assert (
        lena.restore(ev.id, 2).answer("1.1").entry("Inga-Lill Elwin").score is None
    )  # the version before the merge was kept


def test_writing_the_same_score_again_keeps_its_time_so_it_cannot_win_a_merge_it_should_not(bench, clock):
    ev = bench.create("Botkyrka", 2003, evaluators=["Lena Langlet"])
    first = bench.score(ev.id, "2.1", Decimal("9"), by="Lena Langlet").answer("2.1").entry("Lena Langlet").updated
    clock.tick()
    again = bench.score(ev.id, "2.1", Decimal("9"), by="Lena Langlet").answer("2.1").entry("Lena Langlet").updated
    assert again == first


def test_merged_texts_do_not_grow_when_merged_again_from_the_other_side():
    from kompass_tui.core import merging

    assert merging._text("Dialog", "Områdesgrupperna", "inga.json") == ("Dialog", True)  # theirs kept apart
    # A text an older Kompass merged (theirs after a "(where:)" line) holds the other: nothing new.
    older = "Dialog\n\n(inga.json:)\nOmrådesgrupperna"
    assert merging._text(older, "Områdesgrupperna", "inga.json") == (older, False)
    assert merging._text("Områdesgrupperna", older, "lena.json") == (older, False)
    assert merging._text("Dial", "Dialog", "x") == ("Dialog", False)  # written on since: the longer one


def test_merge_refuses_another_evaluation_or_a_csv(tmp_path, demo):
    nacka = tmp_path / "nacka.json"
    nacka.write_text(
        json.dumps(
            {
                **json.loads(demo.export("kalix-2003", "json", "sv")),
                "evaluation": {
                    **json.loads(demo.export("kalix-2003", "json", "sv"))["evaluation"],
                    "id": "botkyrka-2003",
                    "municipality": "Kalix",
                },
            }
        ),
        encoding="utf-8",
    )
    assert "is Kalix 2003" in run("merge", nacka, "--db", demo.folder, code=1).stderr
    csv = tmp_path / "x.csv"
    csv.write_text("question;score\n1.1;3\n", encoding="utf-8")
    assert "not CSV" in run("merge", csv, "--db", demo.folder, code=1).stderr


def test_files_from_before_evaluators_are_read_and_newer_ones_refused(bench, tmp_path):
    doc = {
        "format": "kompass-evaluation",
        "schema": 1,
        "evaluation": {
            "id": "nacka-2010",
            "municipality": "Nacka",
            "year": 2010,
            "framework": "kommunkompassen-2003",
            "questions": {"1.1": {"score": 30, "note": "gammal", "sources": ["document"]}},
        },
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    [ev] = bench.import_file(path)
    assert ev.answer("1.1").score == 30 and ev.answer("1.1").entries == {}
    doc["schema"] = 3
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert "newer Kompass" in run("import", path, "--db", bench.folder, code=1).stderr


# -- the browser ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_help_teaches_the_ssh_tunnel():
    out = run("serve", "--help").stdout
    assert "127.0.0.1" in out and "ssh -L 8000:127.0.0.1:8000" in out


def test_serve_answers_on_loopback_and_runs_the_app(demo):
    import asyncio

    import aiohttp

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kompass_tui",
            "serve",
            "--port",
            str(port),
            "--db",
            str(demo.folder),
            "--as",
            "Anna",
            "--lang",
            "en",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "COLUMNS": "80"},
        text=True,
    )

    async def visit() -> bytes:
        first = server.stdout.readline()  # printed once it listens: the URL with this run's token
        token_url = re.search(r"http://\S+/\?token=\S+", first).group(0)
        deadline = time.monotonic() + 30
        # unsafe=True: keep the cookie for an address (127.0.0.1), as a browser does
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
            assert (await session.get(f"http://127.0.0.1:{port}/")).status == 401  # no token: nothing
            page = await (await session.get(token_url)).text()  # the token becomes a cookie
            assert "Kompass" in page
            url = re.search(r'data-session-websocket-url="([^"]+)"', page).group(1)
            assert url.startswith(f"ws://127.0.0.1:{port}")
            seen = b""
            async with session.ws_connect(url, origin=f"http://127.0.0.1:{port}") as ws:
                await ws.send_str(json.dumps(["resize", {"width": 80, "height": 24}]))
                while b"Municipality" not in seen or b"Botkyrka" not in seen:  # home, drawn for the browser
                    assert time.monotonic() < deadline, seen[-300:]
                    message = await asyncio.wait_for(ws.receive(), timeout=max(0.1, deadline - time.monotonic()))
                    seen += message.data if isinstance(message.data, bytes) else str(message.data).encode()
            return seen

    try:
        assert b"Botkyrka" in asyncio.run(visit())
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_cli_sets_an_agreed_note_with_the_consensus_and_the_report_shows_it(team):
    out = run(
        "consensus",
        "botkyrka-2003",
        "6.5",
        "2",
        "--note",
        "Ett program finns, utan näringslivet.",
        "--as",
        "Lena Langlet",
        "--db",
        team.folder,
    ).stdout
    assert out.strip() == "botkyrka-2003 6.5: consensus 2, agreed note saved"
    public = run("export", "botkyrka-2003", "--lang", "sv", "--no-charts", "--db", team.folder).stdout
    assert "- 6.5: Ett program finns, utan näringslivet." in public
    run("consensus", "botkyrka-2003", "6.5", "2", "--note", "", "--as", "Inga-Lill Elwin", "--db", team.folder)
    assert team.get("botkyrka-2003").answer("6.5").note == ""


async def test_the_disagreement_view_takes_an_evaluators_note_as_the_agreed_note_or_writes_one(team):
    from kompass_tui.tui.screens.dialogs import ChoiceScreen, TextEditScreen
    from kompass_tui.tui.screens.disagreements import DisagreementScreen

    async with make_app(team, "botkyrka-2003", evaluator="Lena Langlet").run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("d")
        screen = pilot.app.screen
        assert isinstance(screen, DisagreementScreen) and screen.current.question.id == "6.5"
        await pilot.press("a")
        dialog = pilot.app.screen
        assert isinstance(dialog, ChoiceScreen)
        assert [key for key, _ in dialog.choices] == ["1", "2", "w"]
        await pilot.press("2")  # Inga-Lill's note, as it is
        await pilot.pause()
        assert "Agreed note: Auskultation på Alfa Laval nämndes." in text_of(screen.query_one("#notes"))
        await pilot.press("a", "w")
        await pilot.pause()
        assert isinstance(pilot.app.screen, TextEditScreen)
        await pilot.press("end", *("space" if c == " " else c for c in " Och ett mentorsprogram."))
        await pilot.press("escape")
        await pilot.pause()
        pilot.app.flush()
    note = team.get("botkyrka-2003").answer("6.5").note
    assert note.startswith("Auskultation på Alfa Laval nämndes.") and note.endswith("Och ett mentorsprogram.")


def test_show_says_how_many_sub_questions_are_left_to_decide(team):
    out = " ".join(run("show", "botkyrka-2003", "--db", team.folder).stdout.split())  # (as wrapped at 80)
    assert "3 sub-questions to decide: the evaluators differ (kompass disagreements botkyrka-2003)" in out
    for qid in INGA_LILL:
        team.consensus("botkyrka-2003", qid, Decimal(SEED_QUESTIONS[qid]), by="Lena Langlet")
    assert "to decide" not in run("show", "botkyrka-2003", "--db", team.folder).stdout
