"""The errors Kompass reports to a user: one line each, saying what was wrong and what to do."""


class KompassError(Exception):
    """A problem the user can act on. The message is shown as it is, without a traceback."""

    exit_code = 1


class CriteriaError(KompassError):
    """A framework file is missing, unreadable or invalid."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class ScoreError(KompassError):
    """A score that is not a number, out of range, or not a half point.

    `text` is what was given, so a screen can word the reason in its own language."""

    def __init__(self, message: str, text: str = ""):
        super().__init__(message)
        self.text = text


class NotFound(KompassError):
    """An evaluation, framework, area or question id that does not exist."""


class StoreError(KompassError):
    """The database cannot be read or written safely; nothing was changed."""


class InputError(KompassError):
    """An import file (CSV or JSON) that cannot be read; nothing was changed."""
