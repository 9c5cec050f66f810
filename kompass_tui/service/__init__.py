"""The one API the CLI and the app call: the workbench over the store, the frameworks and the edits."""

from kompass_tui.service.bench import FALLBACK_EVALUATOR, evaluator
from kompass_tui.service.rows import Row
from kompass_tui.service.workbench import Workbench

__all__ = ["FALLBACK_EVALUATOR", "Row", "Workbench", "evaluator"]
