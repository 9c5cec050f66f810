"""The HTML report (htmlfile) printed to PDF, or photographed as PNG, by a headless Chromium or
Chrome: $KOMPASS_BROWSER, else the first of chromium, chromium-browser, google-chrome and
google-chrome-stable on PATH. Each run has a private temporary directory (0700) for the page, the
browser's profile and what it writes, removed afterwards; the browser and every process it
started are killed on a timeout."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from kompass_tui.errors import InputError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# --no-sandbox: the page is our own HTML, every user text in it escaped, with a Content-Security-
# Policy that forbids scripts and the network (htmlfile.CSP), so there is nothing for the sandbox
# to contain; and Chromium's sandbox does not start as root or in many containers.
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--mute-audio",
)


def browser() -> str | None:
    """The headless browser to print with: $KOMPASS_BROWSER (a name on PATH or a path) if set,
    else the first of BROWSERS found on PATH; None if there is none (or $KOMPASS_BROWSER is not
    a program that can be run)."""
    chosen = os.environ.get("KOMPASS_BROWSER", "").strip()
    if chosen:
        return shutil.which(chosen)
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def print_pdf(html: str, timeout: float = 120) -> bytes:
    """The HTML printed to PDF by the browser (the page size and margins are the page's @page)."""
    return _run(html, "report.pdf", lambda out: ["--no-pdf-header-footer", f"--print-to-pdf={out}"], b"%PDF", timeout)


def screenshot(html: str, width: int = 1240, height: int = 1754, timeout: float = 120) -> bytes:
    """A PNG of the page's first screen, width × height pixels (the screen stylesheet, not print)."""
    return _run(
        html,
        "shot.png",
        lambda out: [
            f"--screenshot={out}",
            f"--window-size={width},{height}",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ],
        b"\x89PNG\r\n\x1a\n",
        timeout,
    )


def _run(html: str, name: str, flags: Callable[[Path], list[str]], magic: bytes, timeout: float) -> bytes:
    program = browser()
    if program is None:
        raise _no_browser()
    shown = Path(program).name
    with tempfile.TemporaryDirectory(prefix="kompass-print-") as tmp:  # mkdtemp: 0700
        folder = Path(tmp)
        page, out = folder / "report.html", folder / name
        page.write_text(html, encoding="utf-8")
        args = [program, *_FLAGS, f"--user-data-dir={folder / 'profile'}", *flags(out), page.as_uri()]
        try:
            proc = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group, so a timeout ends its helpers too
            )
        except OSError as exc:
            raise InputError(
                f"{shown} could not be started to print the report: {exc.strerror or exc}",
                sv=f"{shown} gick inte att starta för att skriva ut rapporten: {exc.strerror or exc}",
            ) from exc
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise InputError(
                f"{shown} did not finish printing the report in {timeout:g} seconds: try again, or export -F html "
                "and print it to PDF from a browser",
                sv=f"{shown} skrev inte klart rapporten på {timeout:g} sekunder: försök igen, eller exportera -F html "
                "och skriv ut den till PDF från en webbläsare",
            ) from None
        data = out.read_bytes() if out.is_file() else b""
    if data.startswith(magic):
        return data
    reason = _last_line(err.decode("utf-8", "replace")) or f"exit status {proc.returncode}, no message"
    raise InputError(
        f"{shown} could not print the report: {reason}",
        sv=f"{shown} kunde inte skriva ut rapporten: {reason}",
    )


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """The browser and every process in its group killed, and reaped."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate()


def _last_line(text: str, limit: int = 200) -> str:
    lines = [" ".join(line.split()) for line in text.splitlines()]
    last = next((line for line in reversed(lines) if line), "")
    return last if len(last) <= limit else last[: limit - 1] + "…"


def _no_browser() -> InputError:
    chosen = os.environ.get("KOMPASS_BROWSER", "").strip()
    en = (
        "-F pdf prints the HTML report with a headless browser and none was found: install Chromium "
        "(sudo apt install chromium) or set KOMPASS_BROWSER, or export -F html and print it to PDF from a browser"
    )
    sv = (
        "-F pdf skriver ut HTML-rapporten med en webbläsare utan fönster (headless) och ingen hittades: installera "
        "Chromium (sudo apt install chromium) eller ange KOMPASS_BROWSER, eller exportera -F html och skriv ut "
        "den till PDF från en webbläsare"
    )
    if chosen:
        en += f" (KOMPASS_BROWSER is {chosen!r}, which is not a program that can be run)"
        sv += f" (KOMPASS_BROWSER är {chosen!r}, som inte är ett program som går att köra)"
    return InputError(en, sv=sv)
