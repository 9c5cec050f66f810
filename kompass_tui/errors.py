"""The errors Kompass reports to a user: one line each, saying what was wrong and what to do."""

from collections.abc import Iterable


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to a mistyped word (2,4 for 2.4; sundbery-2026 for sundbyberg-2026), or None."""
    from difflib import get_close_matches

    known = list(choices)
    guess = word.replace(",", ".")
    close = [guess] if guess != word and guess in known else get_close_matches(word, known, n=1, cutoff=0.75)
    return close[0] if close else None


def did_you_mean(word: str, choices: Iterable[str]) -> tuple[str, str]:
    """' (did you mean X?)' for the choice closest to a mistyped word, in English and in Swedish
    (looked for once); "" in both if none is close."""
    close = closest(word, choices)
    if close is None:
        return "", ""
    return f" (did you mean {close}?)", f" (menade du {close}?)"


class KompassError(Exception):
    """A problem the user can act on. The message is shown as it is, without a traceback; where
    it was also worded in Swedish (sv), a Swedish interface shows that (words_in)."""

    exit_code = 1

    def __init__(self, message: str = "", *, sv: str = "") -> None:
        super().__init__(message)
        self.sv = sv

    def words_in(self, lang: str) -> str:
        return self.sv if lang == "sv" and self.sv else str(self)


class CriteriaError(KompassError):
    """A framework file is missing, unreadable or invalid."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class ScoreError(KompassError):
    """A score that is not a number, out of range, or not a half point.

    `text` is what was given, so a screen can word the reason in its own language."""

    def __init__(self, message: str, text: str = "", *, sv: str = ""):
        super().__init__(message, sv=sv)
        self.text = text


class NotFound(KompassError):
    """An evaluation, framework, area or question id that does not exist."""


class StoreError(KompassError):
    """The database cannot be read or written safely; nothing was changed."""


class InputError(KompassError):
    """An import file (CSV or JSON) that cannot be read; nothing was changed."""


class AlreadyThere(InputError):
    """An evaluation of that municipality and year exists already (a second one must be asked for)."""
