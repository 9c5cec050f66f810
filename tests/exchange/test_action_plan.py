"""The action plan in the report, the follow-up of the previous round's plan in a re-evaluation's
report, and the action plan's own CSV: written in the house dialect, read back exactly, imported
as exactly the changes made in it (or not at all)."""

from dataclasses import replace
from decimal import Decimal

import pytest
from helpers import MINI_FRAMEWORK, SEED_QUESTIONS, snapshot_files

from kompass_tui.core import edits
from kompass_tui.errors import InputError
from kompass_tui.exchange import actioncsv, report
from kompass_tui.exchange.actioncsv import ActionRow

EID = "botkyrka-2003"
LENA, INGA = "Lena Langlet", "Inga-Lill Elwin"
HOSTILE = "[bold red]Röd[/] \x1b[2J | kolumn <b>fet</b> `kod` # rubrik"


def no_plan(bench, eid=EID):
    """The evaluation without the demo's actions: each test makes the plan it needs."""
    bench.apply(eid, lambda ev, fw, at: replace(ev, actions=()))


def plan_of_2003(bench):
    """Botkyrka 2003's plan: three actions on area 2 (two done), one on area 7."""
    no_plan(bench)
    bench.add_action(EID, "2", "Beskriv åtagandena på webben", LENA, 1, "Kommunledningskontoret", "2004-06-30")
    bench.add_action(EID, "2", "En rutin för klagomål", LENA, 2, "Kvalitetsstrategen", "2004-12-31")
    bench.add_action(EID, "2", "Brukarenkät varje år", LENA, owner="Socialförvaltningen")
    bench.add_action(EID, "7", "Extern kvalitetsrevision", LENA, 1, "Ekonomiavdelningen", "2005-06-30")
    bench.set_action(EID, "2.a", INGA, state="done", comment="Publicerat")
    bench.set_action(EID, "2.b", INGA, state="klar")
    bench.set_action(EID, "7.a", INGA, state="avbruten")


def rows_of(text):
    """Table rows keyed by their first cell, cells stripped of bold."""
    out = {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            cells = [c.strip().strip("*") for c in line.strip("|").split(" | ")]
            out[cells[0]] = cells[1:]
    return out


def section(text, heading):
    """The part of a Markdown text from a heading to the next heading of its level."""
    level = heading.split(" ")[0] + " "
    start = text.index(heading + "\n")
    rest = text[start + len(heading) :]
    ends = [n for n in (rest.find("\n" + level),) if n >= 0]
    return heading + (rest[: ends[0]] if ends else rest)


# ---------------------------------------------------------------- the report


def test_the_report_ends_with_the_action_plan_per_area(demo):
    plan_of_2003(demo)
    text = demo.export(EID, "md", "sv", compare=["kalix-2003"])
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    at = headings.index("## Handlingsplan")
    assert headings[at - 1] == "## Slutord och utmaningar" and headings[at + 1].startswith("## Jämförelse")
    plan = section(text, "## Handlingsplan")
    assert "### 2 Tillgänglighet och medborgar-/brukarorientering" in plan and "### 7 Verksamhetsutveckling" in plan
    assert "### 1 " not in plan  # an area without actions has no table
    assert "| Åtgärd | Rubrik | Ansvarig | Klart senast | Status |" in plan
    rows = rows_of(plan)
    assert rows["2.a"][0].startswith("Beskriv åtagandena på webben<br>*Utvecklingsområde 1: Göra enheternas åtaganden")
    assert rows["2.a"][1:] == ["Kommunledningskontoret", "2004-06-30", "● klar"]
    assert rows["2.c"] == ["Brukarenkät varje år", "Socialförvaltningen", "", "○ planerad"]
    assert rows["7.a"][-1] == "✕ avbruten"


def test_no_action_plan_no_section(demo):
    no_plan(demo)
    assert "Handlingsplan" not in demo.export(EID, "md", "sv")
    assert "Action plan" not in demo.export(EID, "md", "en")


def test_an_open_action_past_its_due_date_is_marked_overdue(demo, fw):
    plan_of_2003(demo)
    demo.set_action(EID, "7.a", LENA, state="started")
    ev = demo.get(EID)
    late = report.render(ev, fw, "en", today="2005-07-01")
    assert "| 2005-06-30 | ◐ started **(overdue)** |" in late and rows_of(late)["2.a"][-1] == "● done"
    assert rows_of(report.render(ev, fw, "en", today="2005-06-30"))["7.a"][-1] == "◐ started"
    assert "overdue" not in report.render(ev, fw, "en")  # no today: nothing is marked


def test_hostile_titles_owners_and_descriptions_are_escaped(demo, fw):
    no_plan(demo)
    demo.add_action(EID, "2", HOSTILE, LENA, owner="[link=x]Ägare[/link] | två", description="rad ett\n# rad två |")
    demo.add_action(EID, "2", '=HYPERLINK("http://x.example","klicka")', LENA)
    text = report.render(demo.get(EID), fw, "sv", today="2026-01-01")
    plan = section(text, "## Handlingsplan")
    assert "\x1b" not in text and "[bold red]" not in plan and "<b>" not in plan
    row = next(line for line in plan.splitlines() if line.startswith("| 2.a |"))
    assert row.count(" | ") == 4  # five cells: no | of the title, owner or description made a column
    assert r"\[bold red\]Röd\[/\]" in row and r"\| kolumn &lt;b&gt;fet&lt;/b&gt; \`kod\` \# rubrik" in row
    assert r"\[link=x\]Ägare\[/link\] \| två" in row and r"rad ett<br>\# rad två \|" in row
    assert '| 2.b | =HYPERLINK("http://x.example","klicka") |' in plan


def test_the_action_plan_alone_as_markdown(demo):
    plan_of_2003(demo)
    text = demo.export(EID, "md", "sv", actions=True)
    assert text.startswith("# Handlingsplan: Botkyrka 2003\n\n- **Ramverk:** Kommunkompassen 2003\n")
    assert "- **Åtgärder:** 2 av 3 åtgärder klara · 1 avbruten" in text
    assert "## 2 Tillgänglighet och medborgar-/brukarorientering" in text and "Tabell 1" not in text
    assert rows_of(text)["2.b"][1:] == ["Kvalitetsstrategen", "2004-12-31", "● klar"]


@pytest.mark.parametrize(
    ("form", "given", "words"),
    [
        ("json", {}, "--actions goes with md or csv"),
        ("md", {"compare": ["kalix-2003"]}, "without --compare, --internal and --images"),
        ("md", {"internal": True}, "without --compare, --internal and --images"),
    ],
)
def test_the_action_plan_alone_is_md_or_csv_only(demo, form, given, words):
    with pytest.raises(InputError, match=words):
        demo.export(EID, form, "en", actions=True, **given)


# ---------------------------------------------------------------- the follow-up


def botkyrka_2008(bench, framework="kommunkompassen-2003"):
    """Botkyrka 2008, scored as 2003 but for area 2: 2.1 up half a point, 2.2 two, 2.6 four (+6.5)."""
    ev = bench.create("Botkyrka", 2008, framework)
    if framework != "kommunkompassen-2003":
        return ev.id
    scores = {**SEED_QUESTIONS, "2.1": "10", "2.2": "17", "2.6": "10"}

    def scored(ev, fw, at):
        for qid, value in scores.items():
            ev = edits.score(qid, Decimal(value))(ev, fw, at)
        return ev

    bench.apply(ev.id, scored)
    return ev.id


def test_a_reevaluation_report_follows_up_the_previous_plan_beside_the_change(demo):
    plan_of_2003(demo)
    eid = botkyrka_2008(demo)
    text = demo.export(eid, "md", "sv")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert (
        headings.index("## Uppföljning av handlingsplanen från 2003") == headings.index("## Förändring sedan 2003") + 1
    )
    assert "## Handlingsplan" not in headings  # 2008 has no plan of its own yet
    follow = section(text, "## Uppföljning av handlingsplanen från 2003")
    rows = rows_of(follow)
    assert "| Område | Förändring sedan 2003 | Åtgärder |" in follow
    assert rows["2 Tillgänglighet och medborgar-/brukarorientering"] == ["+6,5", "2 av 3 åtgärder klara"]
    assert rows["7 Verksamhetsutveckling"] == ["±0", "1 avbruten"]
    assert rows["1 Offentlighet och demokratisk kontroll"] == ["±0", "inga åtgärder"]
    assert rows["Totalt"] == ["", "2 av 3 åtgärder klara · 1 avbruten"]
    assert "### Område 2 Tillgänglighet och medborgar-/brukarorientering" in follow
    assert rows["2.a"][1:] == ["Kommunledningskontoret", "2004-06-30", "● klar"]
    assert rows["2.c"] == ["Brukarenkät varje år", "Socialförvaltningen", "", "○ planerad"]
    english = demo.export(eid, "md", "en")
    assert "## Follow-up of the 2003 action plan" in english
    assert rows_of(english)["2 Accessibility and citizen/user orientation"] == ["+6.5", "2 of 3 actions done"]


def test_the_first_round_and_a_previous_round_without_a_plan_have_no_followup(demo):
    plan_of_2003(demo)
    assert "Uppföljning" not in demo.export(EID, "md", "sv")
    no_plan(demo)
    assert "Uppföljning" not in demo.export(botkyrka_2008(demo), "md", "sv")


def test_a_followup_across_framework_versions_lists_the_actions_under_the_old_areas(demo, tmp_path):
    plan_of_2003(demo)
    path = tmp_path / "mini.toml"
    path.write_text(MINI_FRAMEWORK, encoding="utf-8")
    demo.add_framework(path)
    text = demo.export(botkyrka_2008(demo, "mini"), "md", "sv")
    follow = section(text, "## Uppföljning av handlingsplanen från 2003")
    assert "2003 användes Kommunkompassen 2003: dess åtgärder står under dess egna områden" in follow
    assert "| Område | Åtgärder |" in follow and "Förändring" not in follow
    assert rows_of(follow)["2 Tillgänglighet och medborgar-/brukarorientering"] == ["2 av 3 åtgärder klara"]
    assert "### Område 7 Verksamhetsutveckling" in follow and "| 7.a | Extern kvalitetsrevision" in follow


# ---------------------------------------------------------------- the CSV


def test_the_csv_in_swedish_and_english(demo):
    plan_of_2003(demo)
    swedish = demo.export(EID, "csv", "sv", actions=True)
    assert swedish.splitlines()[:2] == [
        "åtgärd;område;utvecklingsområde;rubrik;beskrivning;ansvarig;klart senast;status;kommentar",
        "2.a;2;1;Beskriv åtagandena på webben;;Kommunledningskontoret;2004-06-30;klar;",
    ]
    assert swedish.splitlines()[3] == "2.c;2;;Brukarenkät varje år;;Socialförvaltningen;;planerad;"
    english = demo.export(EID, "csv", "en", actions=True)
    assert english.splitlines()[0] == "action,area,improvement,title,description,owner,due,status,comment"
    assert english.splitlines()[4] == "7.a,7,1,Extern kvalitetsrevision,,Ekonomiavdelningen,2005-06-30,dropped,"


def test_the_swedish_file_starts_with_a_bom(demo, tmp_path):
    plan_of_2003(demo)
    demo.write_export(EID, tmp_path / "plan.csv", None, "sv", actions=True)
    demo.write_export(EID, tmp_path / "plan-en.csv", None, "en", actions=True)
    assert (tmp_path / "plan.csv").read_bytes().startswith("\ufeffåtgärd;".encode())
    assert (tmp_path / "plan-en.csv").read_bytes().startswith(b"action,")


def test_formula_like_texts_are_written_defused_and_read_back_exactly(demo):
    no_plan(demo)
    formula = '=HYPERLINK("http://x.example","klicka")'
    demo.add_action(EID, "2", formula, LENA, owner="+46 8 530 610 00", description="-minus\n@at")
    text = demo.export(EID, "csv", "sv", actions=True)
    assert '\'=HYPERLINK(""http://x.example"",""klicka"")' in text and "'+46 8 530 610 00" in text
    assert "'-minus" in text
    (row,) = actioncsv.read(text, "plan.csv")
    assert (row.title, row.owner, row.description) == (formula, "+46 8 530 610 00", "-minus\n@at")


def test_either_language_any_delimiter_and_excels_quoting_are_read():
    text = (
        "\ufeffÅtgärd\tOmråde\tRubrik\tBeskrivning\tStatus\tKommentar\r\n"
        '2.a\t2\t"Säg ""hej""\tigen"\t"rad ett\r\nrad två"\tKlar\t\r\n'
        "\t7\tNy\t\tstarted\tPå gång\r\n"
        "\t\t\t\t\t\r\n"
    )
    assert actioncsv.read(text, "x.csv") == [
        ActionRow(3, "2.a", "2", None, 'Säg "hej"\tigen', "rad ett\nrad två", None, None, "Klar", ""),
        ActionRow(4, "", "7", None, "Ny", "", None, None, "started", "På gång"),
    ]
    assert actioncsv.holds_actions(text) and actioncsv.holds_actions("action,area\n")
    assert not actioncsv.holds_actions("question;score\n2.1;3\n") and not actioncsv.holds_actions('{"a": 1}')


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("åtgärd;område;rubrik;färg\n", "line 1: unknown column 'färg'"),
        ("action;area;title;rubrik\n", "line 1: the column 'title' appears twice"),
        ("action;area;title\n2.a;2\n", "line 2: 2 columns, expected 3"),
        ("action;area;title\n2.a;2;A\n\n2.a;2;B\n", "line 4: action 2.a is on line 2 already"),
        ("action;area;improvement;title\n2.a;2;ett;A\n", "line 2, column 'improvement': expected the number"),
    ],
)
def test_a_malformed_action_file_names_the_line(text, words):
    with pytest.raises(InputError, match=words):
        actioncsv.read(text, "plan.csv")


# ---------------------------------------------------------------- importing it


def export_to(bench, path, lang="sv"):
    bench.write_export(EID, path, "csv", lang, actions=True)
    return path


def test_an_unchanged_export_imports_as_no_change_at_all(demo, tmp_path):
    plan_of_2003(demo)
    demo.add_action(EID, "2", "=SUMMA(A1:A3) | [b]x[/b]", LENA, description="rad ett\nrad två")
    for lang in ("sv", "en"):
        path = export_to(demo, tmp_path / f"plan-{lang}.csv", lang)
        before = snapshot_files(demo.folder)
        demo.import_file(path, into=EID, by="Någon Annan")
        assert snapshot_files(demo.folder) == before


def test_an_import_changes_exactly_what_the_file_changed(demo, tmp_path, clock):
    plan_of_2003(demo)
    before = {a.id: a for a in demo.get(EID).plan()}
    path = export_to(demo, tmp_path / "plan.csv")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[3] = "2.c;2;2;Brukarenkät varje år;Varje höst;Socialförvaltningen;2005-01-31;påbörjad;Enkäten är beställd"
    lines[1] = lines[1].replace("Beskriv åtagandena", "  Beskriv   åtagandena") + " "  # (as a text, no change)
    lines.append(";7;;Mät brukarnöjdheten;;;;;")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    clock.tick()
    demo.import_file(path, into=EID, by=INGA)
    after = {a.id: a for a in demo.get(EID).plan()}
    assert set(after) == {"2.a", "2.b", "2.c", "7.a", "7.b"}
    assert all(after[i] == before[i] for i in ("2.a", "2.b", "7.a"))
    changed = after["2.c"]
    assert (changed.improvement, changed.description, changed.due, changed.status) == (
        2,
        "Varje höst",
        "2005-01-31",
        "started",
    )
    assert changed.log[-1].by == INGA and changed.log[-1].comment == "Enkäten är beställd"
    assert changed.log[-1].status == "started" and len(changed.log) == len(before["2.c"].log) + 1
    assert sorted(f for f, at in changed.changed.items() if at != before["2.c"].changed[f]) == [
        "description",
        "due",
        "improvement",
        "status",
    ]
    new = after["7.b"]
    assert (new.area, new.title, new.status, new.created_by) == ("7", "Mät brukarnöjdheten", "planned", INGA)


def test_a_comment_alone_is_logged_and_an_action_left_out_of_the_file_stays(demo, tmp_path):
    plan_of_2003(demo)
    path = tmp_path / "plan.csv"
    path.write_text("action,comment\n2.b,Redovisad i nämnden\n", encoding="utf-8")
    before = demo.get(EID)
    ev = demo.import_file(path, into=EID, by=LENA)[0]
    (changed,) = [a for a in ev.plan() if a not in before.plan()]
    assert changed.id == "2.b" and changed.status == "done"
    assert (changed.log[-1].by, changed.log[-1].status, changed.log[-1].comment) == (
        LENA,
        "done",
        "Redovisad i nämnden",
    )


BAD_ROWS = [
    ("2.a;2;1;Beskriv;;;30/6 2004;klar;", "line 3: '30/6 2004' is not a date"),
    ("2.a;2;1;Beskriv;;;;färdig;", "line 3: unknown status 'färdig'"),
    ("2.x;2;;Okänd;;;;;", "line 3: botkyrka-2003 has no action '2.x'"),
    (";9;;Nytt område;;;;;", "line 3: no area '9'"),
    (";;;Utan område;;;;;", "line 3: give the area of a new action"),
    ("2.a;2;5;Beskriv;;;;;", "line 3: area 2 has 2 improvement areas"),
    ("2.a;2;1;   ;;;;;", "line 3: give the action a title"),
    (";2;;;;;;;", "line 3: give the action a title"),
    ("2.a;7;1;Beskriv;;;;;", "line 3: action 2.a is in area 2, not 7"),
]


@pytest.mark.parametrize(("row", "words"), BAD_ROWS)
def test_one_bad_row_refuses_the_whole_file_and_nothing_is_written(demo, tmp_path, row, words):
    plan_of_2003(demo)
    header = "åtgärd;område;utvecklingsområde;rubrik;beskrivning;ansvarig;klart senast;status;kommentar"
    good = "2.b;2;2;En rutin för klagomål;;Ny ägare;;klar;Ändrad"  # line 2: fine, and not written either
    path = tmp_path / "plan.csv"
    path.write_text(f"{header}\n{good}\n{row}\n;7;;Ny;;;;;\n", encoding="utf-8")
    before = snapshot_files(demo.folder)
    with pytest.raises(InputError) as caught:
        demo.import_file(path, into=EID, by=LENA)
    assert str(caught.value).startswith(f"{path}: ") and words in str(caught.value)
    assert "\n" not in str(caught.value)
    assert snapshot_files(demo.folder) == before


def test_a_refusal_speaks_swedish_too(demo, tmp_path):
    plan_of_2003(demo)
    path = tmp_path / "plan.csv"
    path.write_text("åtgärd;status\n2.a;färdig\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        demo.import_file(path, into=EID, by=LENA)
    assert (
        caught.value.words_in("sv")
        == f"{path}: rad 2: okänd status 'färdig'; ange planerad, påbörjad, klar eller avbruten"
    )


def test_an_action_plan_needs_into(demo, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("action;area;title\n;2;Ny\n", encoding="utf-8")
    with pytest.raises(InputError, match="holds an action plan; say which evaluation it belongs to with --into ID"):
        demo.import_file(path, by=LENA)


def test_where_the_team_is_set_only_its_members_change_the_plan(demo, tmp_path):
    plan_of_2003(demo)
    demo.apply(EID, lambda ev, fw, at: replace(ev, team_set=True))
    path = export_to(demo, tmp_path / "plan.csv")
    demo.import_file(path, into=EID, by="Okänd Person")  # unchanged: nothing to refuse
    path.write_text(path.read_text(encoding="utf-8-sig").replace("planerad;", "klar;"), encoding="utf-8-sig")
    with pytest.raises(InputError, match="line 4: Okänd Person is not on the team of botkyrka-2003"):
        demo.import_file(path, into=EID, by="Okänd Person")
    assert demo.import_file(path, into=EID, by=LENA)[0].plan()[2].status == "done"
