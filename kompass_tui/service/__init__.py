"""The one API the CLI and the app call: the workbench over the store, the frameworks and the edits."""

from kompass_tui.service.workbench import FALLBACK_EVALUATOR, Row, Workbench, evaluator

__all__ = ["FALLBACK_EVALUATOR", "Row", "Workbench", "evaluator"]
