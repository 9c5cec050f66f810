"""What many tests share that is not a fixture: the seed report's figures, a small framework file,
and a way to prove that nothing on disk changed. Imported as `from helpers import …` (pytest puts
tests/ on the path; see pyproject.toml)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kompass_tui.core.model import Evaluation
    from kompass_tui.service import Workbench

# The seed report's published figures: the acceptance test for every total.
SEED_AREAS = {"1": "83", "2": "76.5", "3": "89.5", "4": "81.5", "5": "76", "6": "72.5", "7": "67", "8": "93"}
SEED_QUESTIONS = {
    "1.1": "34",
    "1.2": "36",
    "1.3": "13",
    "2.1": "9.5",
    "2.2": "15",
    "2.3": "16",
    "2.4": "18",
    "2.5": "12",
    "2.6": "6",
    "3.1": "28.5",
    "3.2": "20",
    "3.3": "24",
    "3.4": "17",
    "4.1": "25.5",
    "4.2": "18",
    "4.3": "20",
    "4.4": "11",
    "4.5": "7",
    "5.1": "36",
    "5.2": "12",
    "5.3": "14",
    "5.4": "14",
    "6.1": "19.5",
    "6.2": "18",
    "6.3": "10",
    "6.4": "17",
    "6.5": "0",
    "6.6": "8",
    "7.1": "15",
    "7.2": "15",
    "7.3": "18",
    "7.4": "7",
    "7.5": "12",
    "8.1": "38",
    "8.2": "18",
    "8.3": "17",
    "8.4": "20",
}
SEED_NOMINEES = {
    "kalix-2003": "408",
    "botkyrka-2003": "639",
    "nacka-2003": "525",
    "vasteras-2003": "522.5",
    "trollhattan-2003": "619",
}

# The smallest framework Kompass accepts: one area, one sub-question, 2 points.
MINI_FRAMEWORK = (
    '[framework]\nid = "mini"\nname = "Mini"\n[[area]]\nid = "1"\nname = "Ett"\nmax = 2\n'
    '[[area.question]]\nid = "1.1"\ntext = "Fråga?"\nmax = 2\n'
)


def snapshot_files(folder: Path) -> dict[str, bytes]:
    """Every file under folder with its bytes: compare before and after to prove nothing changed."""
    if not folder.exists():
        return {}
    if folder.is_file():
        return {folder.name: folder.read_bytes()}
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def reevaluation(bench: Workbench) -> tuple[Evaluation, Evaluation]:
    """The loop of issue 15 in one database: Botkyrka 2003 as in the seed, with three actions on
    areas 2 and 7 (two of them done), and Botkyrka 2008 scored wholly: as 2003, but area 2 up 6.5
    (2.2 +4, 2.5 +2.5) and area 7 down 3 (7.1 −3). Returns (2003, 2008)."""
    from dataclasses import replace
    from decimal import Decimal

    from kompass_tui import paths
    from kompass_tui.core import edits, model, scoring

    seed = model.from_document(
        __import__("json").loads((paths.demo_dir() / "botkyrka-2003.json").read_text(encoding="utf-8")), "seed"
    )
    before = bench.add(replace(seed, actions=()), "seed")
    who = before.evaluators[0]
    bench.add_action(
        before.id,
        "2",
        "Publicera enheternas åtaganden",
        who,
        improvement=1,
        owner="Kommunledningskontoret",
        due="2004-06-30",
    )
    bench.add_action(
        before.id, "2", "Gemensam klagomålsrutin", who, improvement=2, owner="Kvalitetsstrategen", due="2004-12-31"
    )
    bench.add_action(
        before.id, "7", "Extern kvalitetsrevision", who, improvement=1, owner="Ekonomiavdelningen", due="2005-06-30"
    )
    bench.set_action(before.id, "2.a", who, state="done", comment="Publicerat")
    before = bench.set_action(before.id, "7.a", who, state="done")[0]
    fw = bench.framework(before.framework)
    after = bench.create("Botkyrka", 2008, evaluators=["Anna Berg"])
    changed = {"2.2": Decimal(4), "2.5": Decimal("2.5"), "7.1": Decimal(-3)}

    def scored(ev: Evaluation, framework: object, at: str) -> Evaluation:
        for q in fw.questions:
            value = scoring.question_score(before, q.id)
            assert value is not None
            ev = edits.score(q.id, value + changed.get(q.id, Decimal(0)))(ev, fw, at)
        return ev

    after = bench.apply(after.id, scored)
    return before, after
