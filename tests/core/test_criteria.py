from decimal import Decimal
from pathlib import Path

import pytest
from helpers import SEED_QUESTIONS

from kompass_tui import paths
from kompass_tui.errors import CriteriaError, NotFound
from kompass_tui.store import criteria

RECONSTRUCTED = {
    "1.1": 40,
    "1.2": 40,
    "1.3": 20,
    "2.1": 10,
    "2.2": 20,
    "2.3": 20,
    "2.4": 20,
    "2.5": 20,
    "2.6": 10,
    "3.1": 30,
    "3.2": 20,
    "3.3": 30,
    "3.4": 20,
    "4.1": 30,
    "4.2": 20,
    "4.3": 20,
    "4.4": 15,
    "4.5": 15,
    "5.1": 40,
    "5.2": 20,
    "5.3": 20,
    "5.4": 20,
    "6.1": 20,
    "6.2": 20,
    "6.3": 10,
    "6.4": 20,
    "6.5": 10,
    "6.6": 20,
    "7.1": 20,
    "7.2": 20,
    "7.3": 20,
    "7.4": 20,
    "7.5": 20,
    "8.1": 40,
    "8.2": 20,
    "8.3": 20,
    "8.4": 20,
}

GOOD = """
[framework]
id = "mini-2020"
name = "Mini"
name_en = "Mini"

[[area]]
id = "A"
name = "Första"
max = 10

  [[area.question]]
  id = "A.1"
  text = "Fråga ett?"
  text_en = "Question one?"
  guidance = "Titta på protokollen."
  max = 4.5

  [[area.question]]
  id = "A.2"
  text = "Fråga två?"
  max = 5.5
"""


def test_bundled_framework_is_the_seeds(fw):
    assert [a.id for a in fw.areas] == [str(n) for n in range(1, 9)]
    assert all(a.maximum == 100 for a in fw.areas) and fw.maximum == 800
    assert {q.id: int(q.maximum) for q in fw.questions} == RECONSTRUCTED
    assert all(q.text("sv") and q.text("en") and q.text("sv") != q.text("en") for q in fw.questions)
    assert fw.area("2").name("sv") == "Tillgänglighet och medborgar-/brukarorientering"
    assert fw.question("2.4").text("sv") == "Genomförs brukar-/medborgarundersökningar?"
    assert "reconstructed" in fw.note("en") and "rekonstruerade" in fw.note("sv")


def test_every_seed_score_fits_the_reconstructed_maxima(fw):
    for qid, score in SEED_QUESTIONS.items():
        assert Decimal(score) <= fw.question(qid).maximum, qid


def test_bundled_file_is_found_from_the_package():
    assert (paths.bundled_criteria_dir() / "kommunkompassen-2003.toml").is_file()


def test_a_framework_of_any_shape_with_guidance_and_optional_translations(tmp_path):
    path = tmp_path / "mini.toml"
    path.write_text(GOOD, encoding="utf-8")
    fw = criteria.load(path)
    assert fw.maximum == 10 and [q.id for q in fw.questions] == ["A.1", "A.2"]
    assert fw.question("A.1").guidance("sv") == "Titta på protokollen."
    assert fw.question("A.2").text("en") == "Fråga två?"  # no English: falls back to the file's language
    assert fw.question("A.1").text("en") == "Question one?"


def bad(tmp_path: Path, text: str | bytes) -> list[str]:
    path = tmp_path / "bad.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    with pytest.raises(CriteriaError) as caught:
        criteria.load(path)
    for line in caught.value.problems:
        assert line.startswith(str(path)), line
    return caught.value.problems


CASES = [
    ("syntax", GOOD.replace('name = "Mini"', 'name = "Mini'), ["TOML syntax error", "line 4"]),
    (
        "duplicate question",
        GOOD.replace('id = "A.2"', 'id = "A.1"'),
        ["area A, question A.1", "duplicate question id 'A.1'"],
    ),
    (
        "duplicate area",
        GOOD + '\n[[area]]\nid = "A"\nname = "x"\nmax = 1\n[[area.question]]\nid = "B.1"\ntext = "t"\nmax = 1\n',
        ["area A", "duplicate area id 'A'"],
    ),
    ("sum", GOOD.replace("max = 5.5", "max = 5"), ["area A, field 'max'", "sum to the area's max 10", "a sum of 9.5"]),
    (
        "negative",
        GOOD.replace("max = 4.5", "max = -4.5"),
        ["question A.1, field 'max'", "positive multiple of 0,5", "-4.5"],
    ),
    (
        "not half",
        GOOD.replace("max = 4.5", "max = 4.25"),
        ["question A.1, field 'max'", "positive multiple of 0,5", "4.25"],
    ),
    ("zero", GOOD.replace("max = 4.5", "max = 0"), ["question A.1, field 'max'", "found 0"]),
    ("text max", GOOD.replace("max = 4.5", 'max = "4.5"'), ["question A.1, field 'max'", "'4.5'"]),
    (
        "missing text",
        GOOD.replace('text = "Fråga två?"', ""),
        ["question A.2, field 'text'", "non-empty text", "found nothing"],
    ),
    ("empty text", GOOD.replace('text = "Fråga två?"', 'text = " "'), ["question A.2, field 'text'", "an empty text"]),
    ("numeric id", GOOD.replace('id = "A.2"', "id = 2"), ["question #2, field 'id'", "quoted id"]),
    ("unknown field", GOOD.replace("max = 5.5", "max = 5.5\nmaximum = 5"), ["question A.2", "unknown field 'maximum'"]),
    ("no areas", '[framework]\nid = "x"\nname = "X"\n', ["[[area]]", "one or more"]),
    ("no framework", '[[area]]\nid = "1"\n', ["[framework] table"]),
    ("bad framework id", GOOD.replace('id = "mini-2020"', 'id = "Mini 2020"'), ["[framework], field 'id'"]),
    (
        "questions not tables",
        '[framework]\nid = "x"\nname = "X"\n[[area]]\nid = "1"\nname = "Ett"\nmax = 5\nquestion = "x"\n',
        ["area 1, field 'question'"],
    ),
    (
        "sub-questions in some areas only",
        GOOD + '[[area]]\nid = "9"\nname = "Nio"\nmax = 5\n',
        ["areas 9 have no sub-questions but A do"],
    ),
    ("empty", "", ["the file is empty"]),
    ("blank", "\n  \n", ["the file is empty"]),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", ["binary data"]),
]


@pytest.mark.parametrize("name, text, expected", CASES, ids=[c[0] for c in CASES])
def test_bad_framework_files_are_named_precisely(tmp_path, name, text, expected):
    message = "\n".join(bad(tmp_path, text))
    for part in expected:
        assert part in message


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(CriteriaError, match="no such file"):
        criteria.load(tmp_path / "nope.toml")
    with pytest.raises(CriteriaError, match="found a folder"):
        criteria.load(tmp_path)


def test_add_installs_in_the_user_folder_and_get_finds_it(tmp_path):
    path = tmp_path / "mini.toml"
    path.write_text(GOOD, encoding="utf-8")
    fw = criteria.add(path)
    assert fw.origin == "user" and fw.path.parent == paths.user_criteria_dir()
    assert criteria.get("mini-2020").maximum == 10
    ids = [f.id for f in criteria.installed()]
    assert ids == sorted(ids) and {"kommunkompassen-2003", "mini-2020"} <= set(ids)
    with pytest.raises(CriteriaError, match="already installed"):
        criteria.add(path)


def test_a_users_corrected_copy_replaces_the_bundled_framework(tmp_path):
    text = (paths.bundled_criteria_dir() / "kommunkompassen-2003.toml").read_text(encoding="utf-8")
    path = tmp_path / "corrected.toml"
    path.write_text(
        text.replace('name = "Kommunkompassen 2003"', 'name = "Kommunkompassen 2003 (rättad)"'), encoding="utf-8"
    )
    with pytest.raises(CriteriaError, match="--replace"):
        criteria.add(path)
    criteria.add(path, replace=True)
    assert criteria.get("kommunkompassen-2003").name("sv") == "Kommunkompassen 2003 (rättad)"


def test_add_refuses_a_bad_file_and_installs_nothing(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace("max = 5.5", "max = 5"), encoding="utf-8")
    with pytest.raises(CriteriaError):
        criteria.add(path)
    assert not paths.user_criteria_dir().exists() or not any(paths.user_criteria_dir().iterdir())


def test_unknown_framework_names_the_installed_ones():
    with pytest.raises(NotFound, match="kommunkompassen-2003"):
        criteria.get("kommunkompassen-2099")


def test_unknown_question_and_area(fw):
    with pytest.raises(NotFound, match=r"1\.1 … 8\.4"):
        fw.question("9.9")
    with pytest.raises(NotFound, match="areas are 1, 2"):
        fw.area("9")
