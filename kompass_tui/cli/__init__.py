"""The `kompass` command: thin Typer shells over the service, by topic (main.py is their base;
main.ORDER is the order `kompass --help` lists them in)."""

from kompass_tui.cli import actions, audit, evaluations, frameworks, history, sync, system, team, transfer  # noqa: F401 - registers the commands
from kompass_tui.cli.main import _VisibleStream, app, main

__all__ = ["_VisibleStream", "app", "main"]
