"""The errors Kompass reports to a user: one line each, saying what was wrong and what to do."""

from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean X?)' for the choice closest to a mistyped word, or "" if none is close."""
    from difflib import get_close_matches

    known = list(choices)
    guess = word.replace(",", ".")  # 2,4 for 2.4
    close = [guess] if guess != word and guess in known else get_close_matches(word, known, n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close else ""


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
