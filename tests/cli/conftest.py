import pytest
from test_cli import run


@pytest.fixture
def db(tmp_path):
    """A database holding the demo's five evaluations."""
    path = tmp_path / "clidb"
    run("demo", "--db", path, "--no-open")
    return path
