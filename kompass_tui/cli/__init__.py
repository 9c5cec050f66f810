"""The `kompass` command: thin Typer shells over the service."""

from kompass_tui.cli.main import _VisibleStream, app, main

__all__ = ["_VisibleStream", "app", "main"]
