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
        "level": "Level",
        "id": "Id",
        "level_questions": "sub-questions",
        "level_areas": "areas only",
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
        "level": "Nivå",
        "id": "Id",
        "level_questions": "delfrågor",
        "level_areas": "endast områden",
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
