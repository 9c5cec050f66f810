"""Words shown to users, in Swedish and English; the language defaults from the locale."""

from __future__ import annotations

import os

from kompass_tui.errors import InputError

LANGS = ("sv", "en")

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "framework": "Framework",
        "evaluators": "Evaluators",
        "dates": "Dates",
        "result": "Result",
        "result_line": "{total} of {max} points ({scored} of {count} sub-questions scored)",
        "result_line_areas": "{total} of {max} points (area scores only)",
        "summary": "Summary",
        "table1": "Table 1 {title} against the criteria of {framework}",
        "area": "Area",
        "areas": "Areas",
        "question": "Sub-question",
        "points": "Points",
        "max": "Max",
        "total": "Total",
        "area_heading": "Area {id} {name}: {score} of {max}",
        "strengths": "Strengths",
        "improvements": "Improvement areas",
        "notes": "Evidence",
        "challenges": "Closing remarks and challenges",
        "comparison": "Comparison with other municipalities",
        "criterion": "Area",
        "not_scored": "not scored",
        "interview": "interview",
        "document": "document",
        "website": "website",
        "area_level_note": "Published area scores only: this evaluation has no sub-question scores.",
        "progress": "Scored",
        "municipality": "Municipality",
        "year": "Year",
        "id": "Id",
        "level_areas": "areas only",
        "profile": "Profile",
        "spread": "Spread",
        "agreed_note": "agreed note",
        "consensus": "Consensus",
        "disagreements_count": "sub-questions where the evaluators differ",
        "appendix": "Appendix: the evaluators' scores",
        "change_since": "Change since {year}",
        "change": "Change",
        "average": "Average",
        "rank": "Rank",
        "best_note": "The best value of each row is in bold.",
        "best_note_cli": "* the best value of the row.",
        "best_note_column": "* the best value of the column.",
        "change_short": "the change in total since the previous evaluation",
        "change_note": "In brackets: the change since the previous evaluation ({rounds}).",
        "round_since": "{name} since {year}",
        # -- the app ----------------------------------------------------------------
        "k_help": "help", "k_quit": "quit", "k_open": "open", "k_new": "new", "k_delete": "delete",
        "k_export": "export", "k_walkthrough": "walk-through", "k_strengths": "strengths",
        "k_improvements": "improve", "k_summary": "summary", "k_challenges": "challenges",
        "k_back": "back", "k_previous": "previous", "k_next": "next", "k_next_unscored": "unscored",
        "k_interview": "interview", "k_document": "document", "k_website": "website", "k_note": "note",
        "k_overview": "overview", "k_yes": "yes", "k_no": "no", "k_done": "done", "k_cancel": "cancel",
        "k_close": "close", "k_save": "save", "k_profile": "profile", "k_compare": "compare",
        "k_mark": "mark", "k_chart": "chart/table",
        "k_disagreements": "disagreements", "k_take": "take n's", "k_middle": "middle", "k_clear": "clear",
        "no_disagreements": "The evaluators agree on every sub-question they have both scored.",
        "consensus_set": "{question}: consensus {value}",
        "help_disagreements": "The sub-questions where the evaluators' own scores differ, largest spread first. "
                              "1–9 take evaluator n's score as the consensus, m the middle (their mean to the "
                              "nearest half point), x clears it. Totals and reports use the consensus.",
        "since": "{change} since {year}",
        "comparison_title": "comparing {n}",
        "mark_two": "Mark two or more evaluations with space, or none to compare all of one framework.",
        "help_compare": "Areas as rows, the evaluations as columns, the group average last; * marks the best of "
                        "each row. g switches between the table and the grouped bar chart.",
        "score_invalid": "{text}: not allowed. Give 0–{max} in steps of 0.5.",
        "not_saved": "Not saved",
        "yes": "Yes", "no": "No", "create": "Create", "cancel": "Cancel",
        "text_hint": "Saved as you type. Lines starting with '- ' become a list in the report. Esc when done.",
        "text_too_long": "{n:,} characters: Kompass keeps at most {max:,}. Not saved until it is shorter.",
        "note_too_long": "This text has {n:,} characters, more than Kompass edits ({max:,}): shown cut, read-only. "
                         "Replace it with kompass score/strengths … -",
        "pasted_controls": "Removed {n} control characters from what was pasted.",
        "not_kept": "Not saved: {reason}",
        "cannot_read": "Cannot read",
        "new_title": "New evaluation",
        "evaluators_hint": "names, with a comma between",
        "example": "e.g. {example}",
        "year_needed": "Give the year, e.g. 2026.",
        "path_hint": "Enter writes the file: .md the report, .csv the scores, .json everything. Esc cancels.",
        "help_title": "Keys",
        "help_general": "Every change is saved the moment it is made; there is no save key. "
                        "ctrl+q or ctrl+c quits from anywhere.",
        "help_home": "All evaluations in the database. Enter opens one where you left off. Space marks "
                      "evaluations for c, compare; with none marked, c compares all of the highlighted one's framework.",
        "help_overview": "Tab switches between the areas and the sub-questions; enter on a sub-question "
                         "opens it in the walk-through. p shows the full profile chart and, when the municipality "
                         "was evaluated before, the change per area and the trend.",
        "help_walkthrough": "Type a score (9,5 or 9.5) and press enter to save it and go on; enter on an "
                            "empty field goes on without a change, and - removes your score. While the score field has focus, "
                            "i, d and w toggle the evidence sources, n edits the note, u jumps to the next "
                            "unscored sub-question. Esc leaves the note, then the walk-through.",
        "unreadable": "unreadable",
        "empty_home": "No evaluations yet. Press n to create one, or run `kompass demo` for the demo data.",
        "deleted": "Deleted {id}. To undo: kompass restore {id}",
        "confirm_delete": "Delete {id}? Its scores and notes will be gone.",
        "exported": "Wrote {path}.",
        "confirm_replace": "{path} exists. Replace it?",
        "export_title": "Export {id} as Markdown to",
        "area_level_short": "area scores only",
        "scored_of": "{scored}/{count} scored",
        "question_of": "Sub-question {n} of {count}",
        "score_label": "Your score ({current}, max {max}):",
        "score_placeholder": "0–{max}",
        "note": "Note (evidence):",
        "source_interview": "Interview", "source_document": "Document", "source_website": "Website",
        "all_scored": "Every sub-question is scored.",
        "n_evaluations": "{n} evaluations",
        "database_at": "Database: {path}",
    },
    "sv": {
        "framework": "Ramverk",
        "evaluators": "Utvärderare",
        "dates": "Datum",
        "result": "Resultat",
        "result_line": "{total} av {max} poäng ({scored} av {count} delfrågor bedömda)",
        "result_line_areas": "{total} av {max} poäng (endast områdespoäng)",
        "summary": "Sammanfattning",
        "table1": "Tabell 1 {title} i förhållande till {framework}",
        "area": "Område",
        "areas": "Områden",
        "question": "Delfråga",
        "points": "Poäng",
        "max": "Max",
        "total": "Totalt",
        "area_heading": "Område {id} {name}: {score} av {max}",
        "strengths": "Styrkor",
        "improvements": "Utvecklingsområden",
        "notes": "Underlag",
        "challenges": "Slutord och utmaningar",
        "comparison": "Jämförelse med andra kommuner",
        "criterion": "Kriterium",
        "not_scored": "ej bedömd",
        "interview": "intervju",
        "document": "dokument",
        "website": "webb",
        "area_level_note": "Endast publicerade områdespoäng: utvärderingen saknar poäng per delfråga.",
        "progress": "Bedömda",
        "municipality": "Kommun",
        "year": "År",
        "id": "Id",
        "level_areas": "områdesnivå",
        "profile": "Profil",
        "spread": "Spridning",
        "agreed_note": "gemensam anteckning",
        "consensus": "Konsensus",
        "disagreements_count": "delfrågor där utvärderarna skiljer sig",
        "appendix": "Bilaga: utvärderarnas poäng",
        "change_since": "Förändring sedan {year}",
        "change": "Förändring",
        "average": "Medel",
        "rank": "Placering",
        "best_note": "Radens högsta värde står i fetstil.",
        "best_note_cli": "* radens högsta värde.",
        "best_note_column": "* kolumnens högsta värde.",
        "change_short": "förändringen av totalen sedan föregående utvärdering",
        "change_note": "Inom parentes: förändringen sedan föregående utvärdering ({rounds}).",
        "round_since": "{name} sedan {year}",
        # -- the app ----------------------------------------------------------------
        "k_help": "hjälp", "k_quit": "avsluta", "k_open": "öppna", "k_new": "ny", "k_delete": "radera",
        "k_export": "exportera", "k_walkthrough": "genomgång", "k_strengths": "styrkor",
        "k_improvements": "utveckling", "k_summary": "summering", "k_challenges": "slutord",
        "k_back": "tillbaka", "k_previous": "föregående", "k_next": "nästa", "k_next_unscored": "obedömd",
        "k_interview": "intervju", "k_document": "dokument", "k_website": "webb", "k_note": "notering",
        "k_overview": "översikt", "k_yes": "ja", "k_no": "nej", "k_done": "klar", "k_cancel": "avbryt",
        "k_close": "stäng", "k_save": "spara", "k_profile": "profil", "k_compare": "jämför",
        "k_mark": "markera", "k_chart": "diagram/tabell",
        "k_disagreements": "oenighet", "k_take": "ta n:s", "k_middle": "mitten", "k_clear": "rensa",
        "no_disagreements": "Utvärderarna är eniga om alla delfrågor som båda har bedömt.",
        "consensus_set": "{question}: konsensus {value}",
        "help_disagreements": "Delfrågorna där utvärderarnas egna poäng skiljer sig, störst spridning först. "
                              "1–9 tar utvärderare n:s poäng som konsensus, m mitten (medelvärdet till närmaste "
                              "halva poäng), x rensar. Totaler och rapporter använder konsensus.",
        "since": "{change} sedan {year}",
        "comparison_title": "jämför {n}",
        "mark_two": "Markera två eller fler utvärderingar med mellanslag, eller ingen för att jämföra alla med samma ramverk.",
        "help_compare": "Områdena som rader, utvärderingarna som kolumner och gruppens medelvärde sist; * markerar "
                        "radens högsta värde. g växlar mellan tabellen och stapeldiagrammet.",
        "score_invalid": "{text}: inte tillåtet. Ange 0–{max} i steg om 0,5.",
        "not_saved": "Inte sparat",
        "yes": "Ja", "no": "Nej", "create": "Skapa", "cancel": "Avbryt",
        "text_hint": "Sparas medan du skriver. Rader som börjar med '- ' blir en lista i rapporten. Esc när du är klar.",
        "text_too_long": "{n} tecken: Kompass sparar högst {max}. Sparas inte förrän texten är kortare.",
        "note_too_long": "Texten har {n} tecken, fler än Kompass redigerar ({max}): visas avkortad, skrivskyddad. "
                         "Ersätt den med kompass score/strengths … -",
        "pasted_controls": "Tog bort {n} styrtecken ur det inklistrade.",
        "not_kept": "Sparades inte: {reason}",
        "cannot_read": "Kan inte läsa",
        "new_title": "Ny utvärdering",
        "evaluators_hint": "namn, med komma emellan",
        "example": "t.ex. {example}",
        "year_needed": "Ange år, t.ex. 2026.",
        "path_hint": "Enter skriver filen: .md rapporten, .csv poängen, .json allt. Esc avbryter.",
        "help_title": "Tangenter",
        "help_general": "Varje ändring sparas direkt; det finns ingen spara-tangent. "
                        "ctrl+q eller ctrl+c avslutar var du än är.",
        "help_home": "Alla utvärderingar i databasen. Enter öppnar en där du slutade. Mellanslag markerar "
                      "utvärderingar för c, jämför; utan markering jämför c alla med samma ramverk som den valda.",
        "help_overview": "Tab växlar mellan områdena och delfrågorna; enter på en delfråga öppnar den i genomgången. "
                         "p visar hela profildiagrammet och, om kommunen utvärderats förut, förändringen per område och trenden.",
        "help_walkthrough": "Skriv poäng (9,5 eller 9.5) och tryck enter för att spara och gå vidare; enter i ett "
                            "tomt fält går vidare utan ändring och - tar bort din poäng. När poängfältet har fokus växlar i, d och w "
                            "underlagskällorna, n redigerar anteckningen och u hoppar till nästa obedömda "
                            "delfråga. Esc lämnar anteckningen, sedan genomgången.",
        "unreadable": "oläsbar",
        "empty_home": "Inga utvärderingar ännu. Tryck n för att skapa en, eller kör `kompass demo` för demodata.",
        "deleted": "Raderade {id}. Ångra med: kompass restore {id}",
        "confirm_delete": "Radera {id}? Poäng och anteckningar försvinner.",
        "exported": "Skrev {path}.",
        "confirm_replace": "{path} finns redan. Ersätta den?",
        "export_title": "Exportera {id} som Markdown till",
        "area_level_short": "endast områdespoäng",
        "scored_of": "{scored}/{count} bedömda",
        "question_of": "Delfråga {n} av {count}",
        "score_label": "Din poäng ({current}, max {max}):",
        "score_placeholder": "0–{max}",
        "note": "Anteckning (underlag):",
        "source_interview": "Intervju", "source_document": "Dokument", "source_website": "Webb",
        "all_scored": "Alla delfrågor är bedömda.",
        "n_evaluations": "{n} utvärderingar",
        "database_at": "Databas: {path}",
    },
}


def t(lang: str, key: str, **values: object) -> str:
    text = TEXTS[lang].get(key) or TEXTS["en"][key]
    return text.format(**values) if values else text


def default_lang() -> str:
    """sv when the locale says Swedish (LC_ALL, LC_MESSAGES or LANG), else en."""
    for name in ("KOMPASS_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "sv" if value.lower().startswith("sv") else "en"
    return "en"


def resolve(lang: str | None) -> str:
    """The language to use: the given one (checked) or the locale's."""
    if lang is None:
        return default_lang()
    lang = lang.strip().lower()
    if lang not in LANGS:
        raise InputError(f"unknown language {lang!r}; use sv or en")
    return lang
