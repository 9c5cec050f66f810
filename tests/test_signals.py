"""The real app in a pseudo-terminal: what was typed survives a closed terminal (SIGHUP), SIGTERM
and ctrl+c. Waits are on the app's own output, with a deadline, never on the clock alone."""

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time

import pytest

from kompass_tui.service import Workbench

DEADLINE = 30.0


class Terminal:
    def __init__(self, db, eid: str):
        pid, fd = pty.fork()
        if pid == 0:  # the child: the app, as a user starts it
            os.environ.update({"KOMPASS_LANG": "en", "TERM": "xterm-256color", "KOMPASS_AS": "Anna"})
            os.execvp(sys.executable, [sys.executable, "-m", "kompass_tui", "--db", str(db), "open", eid])
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.pid, self.fd, self.seen = pid, fd, b""

    def wait_for(self, text: str) -> None:
        end = time.monotonic() + DEADLINE
        while text.encode() not in self.seen:
            ready, _, _ = select.select([self.fd], [], [], max(0.0, end - time.monotonic()))
            assert ready, f"the app never showed {text!r}"
            try:
                self.seen += os.read(self.fd, 65536)
            except OSError:
                raise AssertionError(f"the app ended before showing {text!r}") from None

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def close(self) -> None:
        os.close(self.fd)
        self.fd = None

    def exit_status(self) -> int:
        """Wait (bounded) for the app to end, draining its output so it is never blocked writing."""
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return status
            if self.fd is None:
                time.sleep(0.02)
                continue
            if select.select([self.fd], [], [], 0.05)[0]:
                try:
                    self.seen += os.read(self.fd, 65536)
                except OSError:
                    pass
        os.kill(self.pid, signal.SIGKILL)
        raise AssertionError(f"the app did not exit; its last output: {self.seen[-400:]!r}")


@pytest.mark.parametrize("ending", ["closed terminal (SIGHUP)", "SIGTERM", "ctrl+c"])
def test_text_typed_just_before_the_end_is_saved(demo, ending):
    demo.create("Nacka", 2010)
    term = Terminal(demo.folder, "nacka-2010")
    term.wait_for("Sub-question")
    term.type("12\r")  # a score, saved on enter
    term.wait_for("Sub-question 2 of 37")
    term.type("iwn")  # two evidence toggles, then into the note
    term.type("typed at the last second")
    term.wait_for("second")
    if ending == "SIGTERM":
        os.kill(term.pid, signal.SIGTERM)
    elif ending == "ctrl+c":
        term.type("\x03")
    else:
        term.close()  # the terminal goes away: the kernel sends SIGHUP to the app
    status = term.exit_status()
    if term.fd is not None:
        term.close()
    ev = Workbench(demo.folder).get("nacka-2010")
    assert ev.answer("1.1").entry("Anna").score == 12
    assert ev.answer("1.2").entry("Anna").note == "typed at the last second", (status, term.seen[-400:])
    assert ev.answer("1.2").entry("Anna").sources == ("interview", "website")
