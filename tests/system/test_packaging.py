"""The core stays free of the UI, commands import only what they use, and the package ships its data."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest


def _modules(*packages: str) -> list[str]:
    import importlib
    import pkgutil

    found = []
    for name in packages:
        package = importlib.import_module(f"kompass_tui.{name}")
        found += (
            [f"{name}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]
            if hasattr(package, "__path__")
            else [name]
        )
    return found


# Everything below the app: found, not listed, so a new module is checked too.
CORE = [*_modules("core", "store", "exchange", "service"), "i18n", "paths", "errors", "tui.serve", "cli"]
HEAVY = ("textual", "plotext", "textual_plotext")
DOCUMENTS = ("matplotlib", "docx", "markdown_it")  # the report's documents: only when one is exported


def python(code: str, *args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=60)


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_without_textual(module):
    result = python(f"import sys, kompass_tui.{module}; print([m for m in {HEAVY!r} if m in sys.modules])")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["list"],
        ["show", "botkyrka-2003"],
        ["export", "botkyrka-2003", "--lang", "sv", "--no-charts"],
        ["export", "botkyrka-2003", "-F", "csv"],
        ["score", "botkyrka-2003", "1.1", "30"],
    ],
)
def test_commands_do_not_import_the_ui_charts_or_document_libraries(args, tmp_path, isolated_home):
    db = tmp_path / "db"
    code = (
        "import sys\n"
        "from kompass_tui.service import Workbench\n"
        f"Workbench({str(db)!r}).load_demo()\n"
        "from kompass_tui.cli import app\n"
        "try:\n"
        f"    app(args={args + ['--db', str(db)] if args != ['--help'] else args!r}, standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('LOADED', [m for m in {HEAVY + DOCUMENTS!r} if m in sys.modules])\n"
    )
    result = python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "LOADED []"


def test_a_real_process_reports_errors_in_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "kompass_tui", "score", "nowhere-2003", "1.1", "3", "--db", str(tmp_path / "db")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr == f"kompass: no evaluation 'nowhere-2003' in {tmp_path / 'db'} (see `kompass list`)\n"


def test_the_wheel_ships_the_frameworks_and_the_demo(tmp_path):
    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file():
        pytest.skip("not run from a source checkout")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(root), "--no-deps", "-q", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    [wheel] = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in (
        "kommunkompassen-2003",
        "kommunkompassen-2010",
        "kommunkompassen-2016",
        "kommunkompassen-2020",
        "kommunekompasset-2010",
    ):
        assert f"kompass_tui/criteria/{shipped}.toml" in names
    assert {"kompass_tui/demo/botkyrka-2003.json", "kompass_tui/demo/nominees-2003.csv"} <= names


def test_the_benchmark_still_builds_its_databases_and_runs_against_this_code(tmp_path):
    """benchmarks/ writes files in the store's format and imports the app's modules directly; a
    refactor that breaks it must fail here, not in the next session that measures."""
    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root / "benchmarks"))
    try:
        import data
        import run  # every import of the benchmark resolves
    finally:
        sys.path.remove(str(root / "benchmarks"))
    bench = data.build(tmp_path / "db", 6)
    rows = {row.id: row for row in bench.rows()}
    assert len(rows) == 7 and data.TARGET in rows
    assert set(data.municipality_ids(1)) <= set(rows)
    assert callable(run.main)
