"""The one API the CLI and the app call: the workbench over the store, the frameworks and the edits."""

from kompass_tui.service.workbench import DEFAULT_FRAMEWORK, Row, Workbench

__all__ = ["DEFAULT_FRAMEWORK", "Row", "Workbench"]
