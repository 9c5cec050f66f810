"""Benchmark data: databases as a national results collection holds them, built directly in the
store's file format and indexed once. Up to FULL evaluations are full (every sub-question scored, a
300-character note on each); beyond that, area-level results (eight published area scores), so
14,500 is 1,450 full evaluations and 13,050 area-level results of 2,900 municipalities × 5 rounds."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

from kompass_tui.core import model
from kompass_tui.core.model import Answer, AreaEntry, Evaluation
from kompass_tui.service import Workbench
from kompass_tui.store.files import _meta

ROUNDS = (2003, 2007, 2011, 2015, 2019)
WORDS = (
    "kommunen",
    "redovisar",
    "resultat",
    "för",
    "medborgarna",
    "på",
    "hemsidan",
    "och",
    "i",
    "årsredovisningen",
    "intervjuerna",
    "visar",
    "att",
    "målen",
    "är",
    "väl",
    "förankrade",
    "hos",
    "medarbetarna",
    "nämnderna",
)
FULL = 1450  # the first 290 municipalities' rounds are full evaluations
TARGET = "malmby-2026"  # an unscored evaluation to score in the key and save figures


def note(rng: random.Random, length: int = 300) -> str:
    words = []
    while len(" ".join(words)) < length:
        words.append(rng.choice(WORDS))
    return " ".join(words)[:length]


def full_evaluation(rng: random.Random, fw, municipality: str, year: int) -> Evaluation:
    questions = {
        q.id: Answer(Decimal(rng.randint(0, int(q.maximum * 2))) / 2, note(rng), ("interview", "document"))
        for q in fw.questions
    }
    areas = {a.id: AreaEntry(None, note(rng, 120), note(rng, 120)) for a in fw.areas}
    return Evaluation(
        id=model.base_id(municipality, year),
        municipality=municipality,
        year=year,
        framework=fw.id,
        evaluators=("Anna Berg", "Omar Said"),
        summary=note(rng, 600),
        challenges=note(rng, 400),
        areas=areas,
        questions=questions,
        created=f"{year}-06-01T00:00:00+00:00",
        updated=f"{year}-06-01T00:00:00+00:00",
    )


def area_result(rng: random.Random, fw, municipality: str, year: int) -> Evaluation:
    areas = {a.id: AreaEntry(Decimal(rng.randint(60, 190)) / 2) for a in fw.areas}
    return Evaluation(
        id=model.base_id(municipality, year),
        municipality=municipality,
        year=year,
        framework=fw.id,
        level=model.AREAS,
        areas=areas,
        created=f"{year}-06-01T00:00:00+00:00",
        updated=f"{year}-06-01T00:00:00+00:00",
    )


def write_plain(path: Path, data: dict) -> None:
    """The store's file format, written without the store's fsync: benchmark data only (building
    14,500 files at a save's durability would take minutes and measure nothing)."""
    import json

    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    path.chmod(0o600)


def build(folder: Path, count: int, seed: int = 1) -> Workbench:
    """A database with `count` evaluations (full up to FULL, area-level results beyond) and one
    unscored evaluation, TARGET, to score."""
    bench = Workbench(folder)
    fw = bench.framework("kommunkompassen-2003")
    rng = random.Random(seed)
    with bench.db.locked():  # sets the folder up
        pass
    for n in range(count):
        make = full_evaluation if n < FULL else area_result
        ev = make(rng, fw, f"Kommun {n // len(ROUNDS):04d}", ROUNDS[n % len(ROUNDS)])
        write_plain(bench.db.path_of(ev.id), {"_meta": _meta("evaluation"), "evaluation": {"1": model.to_dict(ev)}})
    bench.rows()  # builds the index from the files, once
    bench.create("Malmby", 2026, evaluators=["Anna Berg"])
    return bench


def municipality_ids(count: int) -> list[str]:
    """One evaluation id per municipality (its latest round), for a comparison of that many."""
    return [model.base_id(f"Kommun {m:04d}", ROUNDS[-1]) for m in range(count)]
