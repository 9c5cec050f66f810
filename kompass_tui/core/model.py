"""Evaluations as plain, immutable data, and their JSON form.

An evaluation scores one municipality in one year against one framework. It is either
question-level or area-level (only the area totals, as published for benchmark municipalities).
An area-level result may be a *reference*: a national or group average published beside the
municipalities' results (Sverigesnitt), not a municipality of its own.

In a question-level evaluation each evaluator's score, note and evidence sources for a
sub-question are their own (an Entry, kept by name), and the consensus score that the team agrees
is a separate value. Files from before evaluators had entries hold the agreed score, note and
sources on the Answer itself. Edits live in `edits.py`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

from kompass_tui.core.points import to_decimal, to_json
from kompass_tui.core.sanitize import name_text
from kompass_tui.errors import InputError, ScoreError

SCHEMA = 2  # 2: evaluators' own entries and the consensus (1 is read as well)
FORMAT = "kompass-evaluation"
SOURCES = ("interview", "document", "website")
AREA_TEXTS = ("strengths", "improvements")  # what an area has besides its score
TEXT_KINDS = ("summary", "challenges")  # what the evaluation has: the summary and the closing challenges (Slutord)
MIN_YEAR, MAX_YEAR = 1900, 2200  # the years an evaluation may have
SLUG_LENGTH = 80  # characters of an id made from a name (file names end at 255 bytes)
QUESTIONS, AREAS = "questions", "areas"
LEVELS = (QUESTIONS, AREAS)
STATUSES = ("planned", "started", "done", "dropped")  # an action's course (Swedish: planerad, påbörjad, klar, avbruten)
OPEN = ("planned", "started")  # the statuses of an action still to be done
ACTION_FIELDS = ("title", "description", "owner", "due", "status", "improvement")  # each merged on its own
ACTION_ID = re.compile(r"^(?P<area>[^.\s]+)\.(?P<letter>[a-z]+)$")  # 2.a, 2.b … 2.z, 2.aa


# What each source may be called (in files, at the command line): English and Swedish.
SOURCE_ALIASES = {
    "interview": "interview",
    "intervju": "interview",
    "intervjuer": "interview",
    "document": "document",
    "dokument": "document",
    "documents": "document",
    "website": "website",
    "webb": "website",
    "web": "website",
    "hemsida": "website",
    "webbplats": "website",
}


def ordered_sources(sources: Iterable[str]) -> tuple[str, ...]:
    """Evidence sources in their fixed order, each once, whatever they were called (intervju is
    interview); InputError for one that is not known."""
    wanted = {SOURCE_ALIASES.get(source.strip().lower(), source) for source in sources}
    unknown = sorted(wanted - set(SOURCES))
    if unknown:
        raise InputError(
            f"unknown evidence source {unknown[0]!r}; use {', '.join(SOURCES)} (or intervju, dokument, webb)",
            sv=f"okänd källa {unknown[0]!r}; ange intervju, dokument eller webb (eller {', '.join(SOURCES)})",
        )
    return tuple(s for s in SOURCES if s in wanted)


@dataclass(frozen=True)
class Entry:
    """One evaluator's own score, note and evidence sources for a sub-question."""

    score: Decimal | None = None
    note: str = ""
    sources: tuple[str, ...] = ()
    updated: str = ""  # when this evaluator last changed it (used to settle merges)

    def is_blank(self) -> bool:
        return self.score is None and not self.note and not self.sources


@dataclass(frozen=True)
class Answer:
    """One sub-question: the consensus score (None until agreed), the agreed note and sources, and
    each evaluator's own entry."""

    score: Decimal | None = None
    note: str = ""
    sources: tuple[str, ...] = ()
    entries: Mapping[str, Entry] = field(default_factory=dict)
    decided_by: str = ""  # who set the consensus, and when
    decided_at: str = ""

    def is_blank(self) -> bool:
        return self.score is None and not self.note and not self.sources and not self.entries

    def entry(self, evaluator: str) -> Entry:
        return self.entries.get(evaluator, Entry())

    def with_entry(self, evaluator: str, entry: Entry) -> Answer:
        return replace(self, entries=_put(self.entries, evaluator, entry))


@dataclass(frozen=True)
class AreaEntry:
    """One area: strengths and improvement areas; the score only in area-level evaluations."""

    score: Decimal | None = None
    strengths: str = ""
    improvements: str = ""

    def is_blank(self) -> bool:
        return self.score is None and not self.strengths and not self.improvements


@dataclass(frozen=True)
class LogEntry:
    """One line of an action's log: its status from then on, who set it, when, and why."""

    at: str
    by: str
    status: str
    comment: str = ""


@dataclass(frozen=True)
class Action:
    """A step of the action plan (handlingsplan) on an area's improvement areas.

    id is what users type (2.a: area 2's first action); key is who it is across copies (made from
    when, by whom and what it was added as), so a merge pairs the same action and tells two that
    happen to share an id apart. changed holds when each field was last set: a merge keeps the
    newer of each. A removed action stays as a tombstone (removed: when), so no merge brings it back."""

    id: str
    key: str
    area: str
    title: str
    improvement: int | None = None  # which item of the area's improvement areas (1 = the first)
    description: str = ""
    owner: str = ""  # a person or a unit of the municipality
    due: str = ""  # YYYY-MM-DD
    status: str = "planned"
    log: tuple[LogEntry, ...] = ()
    changed: Mapping[str, str] = field(default_factory=dict)
    created: str = ""
    created_by: str = ""
    removed: str = ""
    removed_by: str = ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def overdue(self, today: str) -> bool:
        """Still to be done, and due before today (YYYY-MM-DD)."""
        return self.is_open and bool(self.due) and self.due < today


@dataclass(frozen=True)
class Evaluation:
    id: str
    municipality: str
    year: int
    framework: str
    level: str = QUESTIONS
    evaluators: tuple[str, ...] = ()
    team_set: bool = False  # the team was given (new -e, team add): only its members score; else whoever scores joins
    # a reference result: a national or group average (Sverigesnitt), not a municipality; area-level
    # only, scores with up to two decimals; compared apart, never ranked or averaged
    reference: bool = False
    start: str = ""
    end: str = ""
    summary: str = ""
    challenges: str = ""
    areas: Mapping[str, AreaEntry] = field(default_factory=dict)
    questions: Mapping[str, Answer] = field(default_factory=dict)
    created: str = ""
    updated: str = ""
    # Texts a merge found different in the other copy: (where, which copy, the text), kept for the
    # team's working papers, never written into the texts themselves.
    other_versions: tuple[tuple[str, str, str], ...] = ()
    actions: tuple[Action, ...] = ()  # the action plan, removed ones (tombstones) too: see plan()

    @property
    def area_level(self) -> bool:
        return self.level == AREAS

    @property
    def title(self) -> str:
        return f"{self.municipality} {self.year}"

    @property
    def dates(self) -> str:
        """The evaluation's days as `start – end` (or the one given; '' if none)."""
        return " – ".join(d for d in (self.start, self.end) if d)

    def answer(self, question_id: str) -> Answer:
        return self.questions.get(question_id, Answer())

    def area(self, area_id: str) -> AreaEntry:
        return self.areas.get(area_id, AreaEntry())

    def with_answer(self, question_id: str, answer: Answer) -> Evaluation:
        return replace(self, questions=_put(self.questions, question_id, answer))

    def with_area(self, area_id: str, entry: AreaEntry) -> Evaluation:
        return replace(self, areas=_put(self.areas, area_id, entry))

    def plan(self, area_id: str | None = None) -> list[Action]:
        """The action plan (of one area): the actions not removed, in the order they were added."""
        return [a for a in self.actions if not a.removed and (area_id is None or a.area == area_id)]


Item = TypeVar("Item", Entry, Answer, AreaEntry)


def _put(entries: Mapping[str, Item], key: str, value: Item) -> dict[str, Item]:
    """A copy of entries with value at key; blank values are dropped, so no empty entries are stored."""
    result = dict(entries)
    if value.is_blank():
        result.pop(key, None)
    else:
        result[key] = value
    return result


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@lru_cache(maxsize=4096)
def slug(municipality: str) -> str:
    """'Västerås' -> 'vasteras', 'Upplands Väsby' -> 'upplands-vasby'; at most SLUG_LENGTH
    characters, so an id is always a file name (letters like Ⅷ spell out to several)."""
    folded = unicodedata.normalize("NFKD", municipality)
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:SLUG_LENGTH].strip("-") or "kommun"


@lru_cache(maxsize=65536)
def name_key(municipality: str) -> str:
    """What makes two names one municipality: the same letters, case and spacing aside
    ('Västerås' = 'VÄSTERÅS' = 'Va\u0308stera\u030as'), but never by dropping accents: Håbo and
    Habo are two municipalities, though their ids are both habo-…"""
    return name_text(municipality)[0].casefold()  # as a name is kept, so an older raw one matches its clean copy


# Swedish alphabetical order: Å, Ä, Ö after Z (Æ as Ä, Ø as Ö); other accents sort as their letter
# (é as e, ü as y, as Swedish dictionaries do). Made here, not by the system's locale, which a
# machine may lack.
_AFTER_Z = "\U000f0000"  # (a private-use character: after every letter)
_LAST_LETTERS = str.maketrans(
    {"å": _AFTER_Z + "1", "ä": _AFTER_Z + "2", "æ": _AFTER_Z + "2", "ö": _AFTER_Z + "3", "ø": _AFTER_Z + "3", "ü": "y"}
)


@lru_cache(maxsize=65536)
def sort_key(name: str) -> str:
    """How a name sorts in a list: Swedish order, case aside (Älmhult after Åre, both after Zinkgruvan)."""
    folded = unicodedata.normalize("NFC", name.casefold()).translate(_LAST_LETTERS)
    return "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))


def base_id(municipality: str, year: int) -> str:
    return f"{slug(municipality)}-{year}"


def unique_id(municipality: str, year: int, taken: set[str]) -> str:
    """botkyrka-2003, then botkyrka-2003-2, -3 … when that is taken."""
    base = base_id(municipality, year)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# ---------------------------------------------------------------- JSON form


def to_dict(ev: Evaluation) -> dict[str, Any]:
    """The evaluation as JSON-ready data; from_dict(to_dict(ev)) == ev."""
    return {
        "id": ev.id,
        "municipality": ev.municipality,
        "year": ev.year,
        "framework": ev.framework,
        "level": ev.level,
        "evaluators": list(ev.evaluators),
        **({"team_set": True} if ev.team_set else {}),  # (files of an open team are as before)
        **({"reference": True} if ev.reference else {}),  # (files of municipalities are as before)
        "start": ev.start,
        "end": ev.end,
        "summary": ev.summary,
        "challenges": ev.challenges,
        "areas": {
            aid: {"score": to_json(a.score), "strengths": a.strengths, "improvements": a.improvements}
            for aid, a in ev.areas.items()
        },
        "questions": {qid: _answer_dict(q) for qid, q in ev.questions.items()},
        "created": ev.created,
        "updated": ev.updated,
        **(
            {"other_versions": [{"where": w, "source": s, "text": t} for w, s, t in ev.other_versions]}
            if ev.other_versions
            else {}
        ),
        **({"actions": [_action_dict(a) for a in ev.actions]} if ev.actions else {}),
    }


def _action_dict(a: Action) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": a.id,
        "key": a.key,
        "area": a.area,
        "title": a.title,
        "improvement": a.improvement,
        "description": a.description,
        "owner": a.owner,
        "due": a.due,
        "status": a.status,
        "log": [{"at": e.at, "by": e.by, "status": e.status, "comment": e.comment} for e in a.log],
        "changed": dict(a.changed),
        "created": a.created,
        "created_by": a.created_by,
    }
    if a.removed:
        data["removed"], data["removed_by"] = a.removed, a.removed_by
    return data


def _entry_dict(e: Entry) -> dict[str, Any]:
    return {"score": to_json(e.score), "note": e.note, "sources": list(e.sources), "updated": e.updated}


def _answer_dict(a: Answer) -> dict[str, Any]:
    data: dict[str, Any] = {"score": to_json(a.score), "note": a.note, "sources": list(a.sources)}
    if a.entries:
        data["entries"] = {name: _entry_dict(e) for name, e in a.entries.items()}
    if a.decided_by or a.decided_at:
        data["decided_by"], data["decided_at"] = a.decided_by, a.decided_at
    return data


class _Reader:
    """Typed access to untrusted data, with errors that name the field."""

    def __init__(self, data: Any, where: str):
        if not isinstance(data, dict):
            raise InputError(f"{where}: expected an object, found {type(data).__name__}")
        self.data, self.where = data, where

    def text(self, key: str, default: str | None = "") -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            raise InputError(f"{self.where}: field '{key}' must be text, found {value!r}")
        return value

    def year(self, key: str) -> int:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not MIN_YEAR <= value <= MAX_YEAR:
            raise InputError(f"{self.where}: field '{key}' must be a year such as 2003, found {value!r}")
        return value

    def score(self, key: str) -> Decimal | None:
        value = self.data.get(key)
        if value is None:
            return None
        try:
            return to_decimal(value)
        except ScoreError as exc:
            raise InputError(f"{self.where}: field '{key}': {exc}") from None

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError(f"{self.where}: field '{key}' must be a list of texts, found {value!r}")
        return tuple(value)

    def table(self, key: str) -> dict[str, Any]:
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            raise InputError(f"{self.where}: field '{key}' must be an object, found {value!r}")
        return value


def _sources(r: _Reader, where: str, qid: str) -> tuple[str, ...]:
    try:
        return ordered_sources(r.texts("sources"))
    except InputError as exc:
        raise InputError(f"{where}, question {qid}: {exc}") from None


def from_dict(data: Any, where: str = "evaluation") -> Evaluation:
    """Build an evaluation from untrusted JSON data; InputError names the first bad field."""
    r = _Reader(data, where)
    level = r.text("level", QUESTIONS)
    if level not in LEVELS:
        raise InputError(f"{where}: field 'level' must be 'questions' or 'areas', found {level!r}")
    municipality = r.text("municipality", None).strip()
    if not municipality:
        raise InputError(f"{where}: field 'municipality' must not be empty")
    areas = {}
    for aid, raw in r.table("areas").items():
        a = _Reader(raw, f"{where}, area {aid}")
        areas[aid] = AreaEntry(a.score("score"), a.text("strengths"), a.text("improvements"))
    questions = {}
    for qid, raw in r.table("questions").items():
        q = _Reader(raw, f"{where}, question {qid}")
        entries = {}
        for name, raw_entry in q.table("entries").items():
            e = _Reader(raw_entry, f"{where}, question {qid}, evaluator {name}")
            entries[name] = Entry(e.score("score"), e.text("note"), _sources(e, where, qid), e.text("updated"))
        questions[qid] = Answer(
            q.score("score"),
            q.text("note"),
            _sources(q, where, qid),
            entries,
            q.text("decided_by"),
            q.text("decided_at"),
        )
    return Evaluation(
        id=r.text("id", None),
        municipality=municipality,
        year=r.year("year"),
        framework=r.text("framework", None),
        level=level,
        evaluators=r.texts("evaluators"),
        team_set=r.data.get("team_set") is True,
        reference=r.data.get("reference") is True,
        start=r.text("start"),
        end=r.text("end"),
        summary=r.text("summary"),
        challenges=r.text("challenges"),
        areas=areas,
        questions=questions,
        created=r.text("created"),
        updated=r.text("updated"),
        other_versions=_other_versions(r.data.get("other_versions", []), where),
        actions=_actions(r.data.get("actions", []), where),
    )


def _status(value: str, where: str) -> str:
    if value not in STATUSES:
        raise InputError(f"{where}: status must be one of {', '.join(STATUSES)}, found {value!r}")
    return value


def _actions(data: Any, where: str) -> tuple[Action, ...]:
    if not isinstance(data, list):
        raise InputError(f"{where}: field 'actions' must be a list")
    found: list[Action] = []
    ids: set[str] = set()
    keys: set[str] = set()
    for n, item in enumerate(data):
        r = _Reader(item, f"{where}: actions[{n}]")
        aid, key = r.text("id", None), r.text("key", None)
        match = ACTION_ID.match(aid)
        if match is None:
            raise InputError(f"{r.where}: field 'id' must be an area and a letter such as 2.a, found {aid!r}")
        if aid in ids or key in keys or not key:
            raise InputError(f"{r.where}: action {aid} appears twice (or has no key)")
        ids.add(aid)
        keys.add(key)
        improvement = r.data.get("improvement")
        if improvement is not None and (
            isinstance(improvement, bool) or not isinstance(improvement, int) or improvement < 1
        ):
            raise InputError(f"{r.where}: field 'improvement' must be a number from 1, found {improvement!r}")
        due = r.text("due")
        if due and not is_date(due):
            raise InputError(f"{r.where}: field 'due' must be a date such as 2004-06-30, found {due!r}")
        log = []
        if not isinstance(r.data.get("log", []), list):
            raise InputError(f"{r.where}: field 'log' must be a list")
        for m, raw in enumerate(r.data.get("log", [])):
            e = _Reader(raw, f"{r.where}: log[{m}]")
            log.append(LogEntry(e.text("at"), e.text("by"), _status(e.text("status"), e.where), e.text("comment")))
        changed = r.table("changed")
        if not all(k in ACTION_FIELDS and isinstance(v, str) for k, v in changed.items()):
            raise InputError(f"{r.where}: field 'changed' must map {', '.join(ACTION_FIELDS)} to times")
        area = r.text("area", None)
        if area != match.group("area"):
            raise InputError(f"{r.where}: action {aid} is in area {match.group('area')}, not {area!r}")
        found.append(
            Action(
                id=aid,
                key=key,
                area=area,
                title=r.text("title", None),
                improvement=improvement,
                description=r.text("description"),
                owner=r.text("owner"),
                due=due,
                status=_status(r.text("status", "planned"), r.where),
                log=tuple(log),
                changed=changed,
                created=r.text("created"),
                created_by=r.text("created_by"),
                removed=r.text("removed"),
                removed_by=r.text("removed_by"),
            )
        )
    return tuple(found)


def is_date(text: str) -> bool:
    """Whether text is a day as YYYY-MM-DD."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        return False
    return True


def _other_versions(data: Any, where: str) -> tuple[tuple[str, str, str], ...]:
    if not isinstance(data, list):
        raise InputError(f"{where}: field 'other_versions' must be a list")
    found = []
    for n, item in enumerate(data):
        r = _Reader(item, f"{where}: other_versions[{n}]")
        found.append((r.text("where"), r.text("source"), r.text("text")))
    return tuple(found)


def to_document(ev: Evaluation) -> dict[str, Any]:
    """The exchange file: `kompass export --format json` writes it, `kompass import` reads it."""
    return {"format": FORMAT, "schema": SCHEMA, "evaluation": to_dict(ev)}


def from_document(data: Any, where: str) -> Evaluation:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f'{where}: not a Kompass evaluation file (expected "format": "{FORMAT}")')
    schema = data.get("schema")
    if not isinstance(schema, int) or schema > SCHEMA:
        raise InputError(
            f"{where}: written by a newer Kompass (schema {schema!r}, this one reads {SCHEMA}); upgrade Kompass"
        )
    return from_dict(data.get("evaluation"), where)
