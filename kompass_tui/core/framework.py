"""Frameworks (criteria versions) as data: load a TOML file, validate it, find installed ones.

The file format is documented in criteria/README.md. A framework has any number of areas, each
with a maximum and any number of sub-questions whose maxima sum to it; scores are half points. A
framework whose areas have no sub-questions at all is *areas only* (the later Kommunkompassen
versions, as municipalities publish them): its evaluations hold area scores only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from kompass_tui.core.points import fmt, is_half_step, ordinary, to_decimal
from kompass_tui.core.sanitize import MAX_NAME, is_safe
from kompass_tui.errors import CriteriaError, NotFound, ScoreError, did_you_mean

DEFAULT_FRAMEWORK = "kommunkompassen-2003"  # the bundled framework, where none is named
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
PART_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
LANG_SUFFIX = re.compile(r"^(name|short|text|guidance|maxima_note|description)_([a-z]{2})$")

FRAMEWORK_FIELDS = {"id", "name", "language", "source", "maxima", "maxima_note", "description"}
AREA_FIELDS = {"id", "name", "short", "max", "question"}
QUESTION_FIELDS = {"id", "text", "guidance", "max"}


def _pick(texts: dict[str, str], lang: str, fallback: str) -> str:
    return texts.get(lang) or texts.get(fallback) or next(iter(texts.values()), "")


@dataclass(frozen=True, eq=False)
class Question:
    id: str
    area_id: str
    maximum: Decimal
    texts: dict[str, str]
    guidances: dict[str, str]
    language: str

    def text(self, lang: str) -> str:
        return _pick(self.texts, lang, self.language)

    def guidance(self, lang: str) -> str:
        return _pick(self.guidances, lang, self.language) if self.guidances else ""


@dataclass(frozen=True, eq=False)
class Area:
    id: str
    maximum: Decimal
    names: dict[str, str]
    shorts: dict[str, str]
    questions: tuple[Question, ...]
    language: str

    def name(self, lang: str) -> str:
        return _pick(self.names, lang, self.language)

    def short(self, lang: str) -> str:
        """A short name for charts and narrow tables; the full name if the file gives none."""
        return _pick(self.shorts, lang, self.language) if self.shorts else self.name(lang)


@dataclass(frozen=True, eq=False)
class Framework:
    id: str
    names: dict[str, str]
    language: str
    areas: tuple[Area, ...]
    path: Path
    origin: str = "bundled"
    info: dict[str, str] = field(default_factory=dict)

    def name(self, lang: str) -> str:
        return _pick(self.names, lang, self.language)

    def note(self, lang: str) -> str:
        """The note on maxima (e.g. 'reconstructed, not official'), in lang where the file has it."""
        notes: dict[str, str] = {}
        for key, value in self.info.items():
            if key == "maxima_note":
                notes[self.language] = value
            elif key.startswith("maxima_note_"):
                notes[key.removeprefix("maxima_note_")] = value
        return _pick(notes, lang, self.language) if notes else ""

    @cached_property
    def maximum(self) -> Decimal:
        return sum((a.maximum for a in self.areas), Decimal(0))

    @cached_property
    def signature(self) -> str:
        """A short fingerprint of the areas, sub-questions and their maxima: what scores it allows."""
        import hashlib

        parts = [f"{a.id}={a.maximum}:" + ",".join(f"{q.id}={q.maximum}" for q in a.questions) for a in self.areas]
        return hashlib.sha256(";".join(parts).encode()).hexdigest()[:16]

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for a in self.areas for q in a.questions)

    @property
    def areas_only(self) -> bool:
        """No area has sub-questions: every evaluation of it is area-level."""
        return not self.questions

    @cached_property
    def _areas_by_id(self) -> dict[str, Area]:
        return {a.id: a for a in self.areas}

    @cached_property
    def _questions_by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    def area(self, area_id: str) -> Area:
        try:
            return self._areas_by_id[area_id]
        except KeyError:
            known = ", ".join(a.id for a in self.areas)
            raise NotFound(
                f"no area {area_id!r} in {self.id}; areas are {known}",
                sv=f"inget område {area_id!r} i {self.id}; områdena är {known}",
            ) from None

    def question(self, question_id: str) -> Question:
        try:
            return self._questions_by_id[question_id]
        except KeyError:
            if self.areas_only:
                raise NotFound(
                    f"{self.id} has areas only, no sub-questions: score an area (1 to {self.areas[-1].id}) "
                    "of an area-level evaluation",
                    sv=f"{self.id} har bara områden, inga delfrågor: poängsätt ett område (1 till "
                    f"{self.areas[-1].id}) i en utvärdering på områdesnivå",
                ) from None
            first, last = self.questions[0].id, self.questions[-1].id
            hint, ledtråd = did_you_mean(question_id, self._questions_by_id)
            raise NotFound(
                f"no sub-question {question_id!r} in {self.id}{hint}; "
                f"ids run {first} … {last} (see `kompass criteria show {self.id}`)",
                sv=f"ingen delfråga {question_id!r} i {self.id}{ledtråd}; "
                f"id:n går från {first} till {last} (se `kompass criteria show {self.id}`)",
            ) from None

    def has_question(self, question_id: str) -> bool:
        return question_id in self._questions_by_id

    def has_area(self, area_id: str) -> bool:
        return area_id in self._areas_by_id


# ---------------------------------------------------------------- validation


class _Problems:
    """Collects one line per problem, each naming the file, the place, the field, expected and found."""

    def __init__(self, path: Path):
        self.path = path
        self.lines: list[str] = []

    def add(self, where: str, fieldname: str | None, expected: str, found: object) -> None:
        place = f"{where}, field '{fieldname}'" if fieldname else where
        self.lines.append(f"{self.path}: {place}: expected {expected}, found {_show(found)}")

    def say(self, where: str, message: str) -> None:
        self.lines.append(f"{self.path}: {where}: {message}")


def _show(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return (repr(value[:60]) + ("…" if len(value) > 60 else "")) if value.strip() else "an empty text"
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "a table"
    if isinstance(value, Decimal):
        return fmt(value)
    return repr(value)


def _texts(
    table: dict[str, Any], key: str, where: str, problems: _Problems, required: bool, default_lang: str
) -> dict[str, str]:
    """Collect key and key_<lang> as {lang: text}."""
    texts: dict[str, str] = {}
    for name, value in table.items():
        match = LANG_SUFFIX.match(name)
        if name == key:
            lang = default_lang
        elif match and match.group(1) == key:
            lang = match.group(2)
        else:
            continue
        if not isinstance(value, str) or not value.strip():
            problems.add(where, name, "a non-empty text", value)
        elif not is_safe(value, lines=key == "guidance"):
            problems.add(where, name, "a text without control characters or escape sequences", value)
        elif key in ("name", "short") and len(value.strip()) > MAX_NAME:
            problems.add(where, name, f"a text of at most {MAX_NAME} characters", f"{len(value.strip())} characters")
        else:
            texts[lang] = value.strip()
    if required and key not in table:
        problems.add(where, key, "a non-empty text", None)
    return texts


def _maximum(table: dict[str, Any], where: str, problems: _Problems) -> Decimal | None:
    raw = table.get("max")
    try:
        value = None if isinstance(raw, str) or raw is None else to_decimal(raw)
    except ScoreError:
        value = None
    if value is None or not ordinary(value) or value <= 0 or not is_half_step(value):
        problems.add(where, "max", "a positive multiple of 0,5", value if value is not None else raw)
        return None
    return value


def _ident(
    table: dict[str, Any], where: str, problems: _Problems, pattern: re.Pattern[str], example: str
) -> str | None:
    raw = table.get("id")
    if not isinstance(raw, str) or not pattern.fullmatch(raw):
        problems.add(where, "id", f'a quoted id such as "{example}"', raw)
        return None
    return raw


def _unknown(table: dict[str, Any], known: set[str], where: str, problems: _Problems) -> None:
    for name in table:
        base = LANG_SUFFIX.match(name)
        if name not in known and not (base and base.group(1) in known | {"maxima_note"}):
            problems.say(
                where, f"unknown field '{name}' (known: {', '.join(sorted(known))}, and <field>_<lang> translations)"
            )


def _part(
    raw: object, prefix: str, kind: str, index: int, example: str, seen: set[str], problems: _Problems
) -> tuple[str | None, str] | None:
    """Check that an [[area]] or [[area.question]] entry is a table with a fresh id; (id, place) or None."""
    label = f"{prefix}{kind} #{index}"
    if not isinstance(raw, dict):
        problems.add(label, None, "a table", raw)
        return None
    pid = _ident(raw, label, problems, PART_ID_PATTERN, example)
    where = f"{prefix}{kind} {pid}" if pid else label
    if pid is not None:
        if pid in seen:
            problems.say(where, f"duplicate {kind} id '{pid}'")
        seen.add(pid)
    return pid, where


def parse(text: str, path: Path, origin: str = "user") -> Framework:
    """Validate a framework file's text; raise CriteriaError listing every problem found."""
    import tomllib  # here, not at the top: most commands never parse a framework file

    problems = _Problems(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CriteriaError([f"{path}: TOML syntax error: {exc}"]) from None
    except (RecursionError, ValueError):  # nested too deeply; an integer of thousands of digits
        raise CriteriaError([f"{path}: not a framework file (nested too deeply, or a number too long)"]) from None
    head = data.get("framework")
    if not isinstance(head, dict):
        raise CriteriaError([f"{path}: expected a [framework] table with id and name, found {_show(head)}"])
    language = head.get("language", "sv")
    if not isinstance(language, str) or not re.fullmatch(r"[a-z]{2}", language):
        problems.add("[framework]", "language", 'a two-letter language code such as "sv"', language)
        language = "sv"
    fid = _ident(head, "[framework]", problems, ID_PATTERN, "kommunkompassen-2020")
    names = _texts(head, "name", "[framework]", problems, True, language)
    _unknown(head, FRAMEWORK_FIELDS, "[framework]", problems)
    info = {k: str(v) for k, v in head.items() if k not in {"id", "language"} and not k.startswith("name")}
    for key, value in info.items():
        if not is_safe(value):
            problems.add("[framework]", key, "a text without control characters or escape sequences", value)

    raw_areas = data.get("area")
    if not isinstance(raw_areas, list) or not raw_areas:
        problems.say(
            "the file",
            f"expected one or more [[area]] tables, found {_show(raw_areas) if raw_areas is not None else 'none'}",
        )
        raw_areas = []
    for name in data:
        if name not in {"framework", "area"}:
            problems.say("top level", f"unknown table '{name}' (expected [framework] and [[area]])")

    areas: list[Area] = []
    seen_areas: set[str] = set()
    seen_questions: set[str] = set()
    for a_index, raw in enumerate(raw_areas, start=1):
        part = _part(raw, "", "area", a_index, str(a_index), seen_areas, problems)
        if part is None:
            continue
        aid, where = part
        area_names = _texts(raw, "name", where, problems, True, language)
        shorts = _texts(raw, "short", where, problems, False, language)
        area_max = _maximum(raw, where, problems)
        _unknown(raw, AREA_FIELDS, where, problems)
        raw_questions = raw.get("question", [])
        if not isinstance(raw_questions, list):
            problems.add(where, "question", "[[area.question]] tables, or none (areas only)", raw_questions)
            raw_questions = []
        questions: list[Question] = []
        for q_index, rq in enumerate(raw_questions, start=1):
            part = _part(rq, f"{where}, ", "question", q_index, f"{aid or a_index}.{q_index}", seen_questions, problems)
            if part is None:
                continue
            qid, q_where = part
            q_texts = _texts(rq, "text", q_where, problems, True, language)
            guidances = _texts(rq, "guidance", q_where, problems, False, language)
            q_max = _maximum(rq, q_where, problems)
            _unknown(rq, QUESTION_FIELDS, q_where, problems)
            if qid and q_texts and q_max is not None:
                questions.append(Question(qid, aid or "", q_max, q_texts, guidances, language))
        if area_max is not None and len(questions) == len(raw_questions) and questions:
            total = sum((q.maximum for q in questions), Decimal(0))
            if total != area_max:
                problems.say(
                    f"{where}, field 'max'",
                    f"expected the sub-question maxima to sum to the area's max {fmt(area_max)}, found a sum of {fmt(total)}",
                )
        if aid and area_names and area_max is not None:
            areas.append(Area(aid, area_max, area_names, shorts, tuple(questions), language))

    with_questions = [a.id for a in areas if a.questions]
    if with_questions and len(with_questions) < len(areas):
        bare = [a.id for a in areas if not a.questions]
        problems.say(
            "the file",
            f"areas {', '.join(bare)} have no sub-questions but {', '.join(with_questions)} do: give every area "
            "its sub-questions, or none (a framework of areas only)",
        )
    if problems.lines:
        raise CriteriaError(problems.lines)
    assert fid is not None
    return Framework(fid, names, language, tuple(areas), path, origin, info)
