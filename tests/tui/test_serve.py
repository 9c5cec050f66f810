"""`kompass serve` answers its owner only: real servers in real processes, reached with aiohttp's
client over TCP and over a Unix socket, and tried by a second Unix user. Nothing sleeps for timing:
every wait polls the server's output or the socket with a deadline.

The app lives under a secret path made for each run (/k-…/, PATH below), and its cookie is limited
to that path: browsers send cookies to every port of a host, so it must not be a cookie for `/`."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from kompass_tui.service import Workbench

aiohttp = pytest.importorskip("aiohttp")

URL = re.compile(r"(http://\S+?)(/k-[A-Za-z0-9_-]{16}/)\?token=([A-Za-z0-9_-]+)")
START = 60  # seconds a server may take to start on a loaded machine
NOBODY = 65534


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """A `kompass serve` process and the lines it has printed so far."""

    def __init__(self, *args: str, **env: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kompass_tui", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "COLUMNS": "80", **env},
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self._changed = threading.Condition()
        self._open = 2
        self._pumps = [
            threading.Thread(target=self._pump, args=(stream, sink), daemon=True)
            for stream, sink in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))
        ]
        for pump in self._pumps:
            pump.start()

    def _pump(self, stream, sink: list[str]) -> None:
        for line in stream:
            with self._changed:
                sink.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._open -= 1
            self._changed.notify_all()

    def wait_for(self, pattern: re.Pattern | str, err: bool = False, timeout: float = START) -> re.Match:
        """The first printed line that matches, waiting for it until the deadline."""
        sink = self.err if err else self.out
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in sink:
                    if found := re.search(pattern, line):
                        return found
                assert self._open, f"the server exited ({self.proc.poll()}): {self.out} {self.err}"
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"nothing matched {pattern!r}: {self.out} {self.err}"
                self._changed.wait(remaining)

    def url(self) -> tuple[str, str, str]:
        """(http://host:port, the secret path /k-…/, token) from the first URL it prints, which it
        prints once it listens."""
        self.wait_for("until you stop it")  # the last line of where to connect
        found = self.wait_for(URL)
        return found.group(1), found.group(2), found.group(3)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        for pump in self._pumps:
            pump.join(timeout=30)
        return self.proc.returncode


@pytest.fixture
def served():
    """Start servers with served(*args); every one is stopped at the end of the test."""
    started: list[Served] = []

    def start(*args: str, **env: str) -> Served:
        started.append(Served(*args, **env))
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    Workbench(tmp_path / "db").load_demo()
    return tmp_path / "db"


def session(**kwargs) -> aiohttp.ClientSession:
    """A client that keeps no cookies: each request carries exactly the credentials it is given."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar(), **kwargs)


async def handshake_status(client, url: str, **kwargs) -> int:
    """The status of a websocket handshake: 101 if it opened."""
    try:
        async with client.ws_connect(url, **kwargs):
            return 101
    except aiohttp.WSServerHandshakeError as exc:
        return exc.status


async def app_output(client, url: str, *texts: bytes, **kwargs) -> bytes:
    """What the app sends over the websocket until all `texts` show (the app drawn for the browser)."""
    deadline = time.monotonic() + START
    seen = b""
    async with client.ws_connect(url, **kwargs) as ws:
        await ws.send_str(json.dumps(["resize", {"width": 100, "height": 30}]))
        while not all(text in seen for text in texts):
            remaining = deadline - time.monotonic()
            assert remaining > 0, seen[-500:]
            message = await asyncio.wait_for(ws.receive(), timeout=remaining)
            assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), message
            seen += message.data if isinstance(message.data, bytes) else message.data.encode()
    return seen


def page_urls(page: str) -> tuple[str, str]:
    websocket = re.search(r'data-session-websocket-url="([^"]+)"', page).group(1)
    static = re.search(r'<script src="([^"]+)js/textual\.js"', page).group(1)
    return websocket, static


# -- over TCP on loopback ------------------------------------------------------------------------


def test_every_request_needs_the_token_and_the_websocket_its_own_origin(served, demo_db):
    port = free_port()
    server = served("--db", str(demo_db), "--lang", "en", "serve", "--port", str(port))
    root, path, token = server.url()
    assert root == f"http://127.0.0.1:{port}" and len(token) >= 43  # token_urlsafe(32)
    base = root + path  # the app's page: http://127.0.0.1:PORT/k-…/
    cookie_name = f"kompass_token_{port}"
    good = {"Cookie": f"{cookie_name}={token}"}
    bad = {"Cookie": f"{cookie_name}={token[:-2]}xx"}
    ws = f"ws://127.0.0.1:{port}{path}ws"
    origin = f"http://127.0.0.1:{port}"

    async def visit() -> bytes:
        async with session() as client:
            # no credential at all: 401, for every route and for ones that do not exist, in the
            # app's path and outside it
            for where in (
                path,
                f"{path}static/js/textual.js",
                f"{path}static/",
                f"{path}download/abc",
                f"{path}nowhere",
                "/",
                "/static/js/textual.js",
                "/ws",
                "/nowhere",
            ):
                async with client.get(root + where, allow_redirects=False) as r:
                    assert r.status == 401, where
                    assert path not in await r.text()
            assert await handshake_status(client, ws, origin=origin) == 401
            # a wrong token, in the URL or in the cookie: 403
            async with client.get(f"{base}?token=wrong", allow_redirects=False) as r:
                assert r.status == 403 and "set-cookie" not in r.headers
            async with client.get(base, headers=bad, allow_redirects=False) as r:
                assert r.status == 403
            assert await handshake_status(client, ws, origin=origin, headers=bad) == 403
            assert await handshake_status(client, f"{ws}?token=wrong", origin=origin) == 403
            # the token in the URL: a cookie for the app's path only, and the token leaves the address bar
            async with client.get(f"{base}?token={token}&fontsize=20", allow_redirects=False) as r:
                assert r.status == 303
                assert r.headers["Location"] == f"{path}?fontsize=20"
                cookie = r.headers["Set-Cookie"]
                assert cookie.startswith(f"{cookie_name}={token};")
                assert {"HttpOnly", f"Path={path}", "SameSite=Strict"} <= {part.strip() for part in cookie.split(";")}
            async with client.get(f"{base}static/css/xterm.css?token={token}") as r:
                assert r.status == 200  # the token is accepted in any URL; only the page redirects
            # the cookie opens the page, the static files and the websocket from the page's origin
            async with client.get(base, headers=good, allow_redirects=False) as r:
                assert r.status == 200 and r.headers["Referrer-Policy"] == "no-referrer"
                page = await r.text()
            assert token not in page
            assert page_urls(page) == (ws, f"{base}static/")
            async with client.get(f"{base}static/js/textual.js", headers=good) as r:
                assert r.status == 200
            # another web site's page, or no Origin at all: 403 even with the cookie
            assert await handshake_status(client, ws, origin="http://evil.example", headers=good) == 403
            assert await handshake_status(client, ws, origin=f"http://localhost:{port}", headers=good) == 403
            assert await handshake_status(client, ws, headers=good) == 403
            return await app_output(client, ws, b"Kompass", b"Botkyrka", origin=origin, headers=good)

    seen = asyncio.run(visit())
    assert b"Kompass" in seen and b"Botkyrka" in seen  # the app's home screen, drawn in the browser
    assert server.stop() == 0  # SIGTERM stops it cleanly, with a session open a moment ago
    printed = server.out + server.err
    assert any("401" in line for line in server.err)  # refused requests are logged...
    assert [line for line in printed if token in line] == [line for line in printed if URL.search(line)]
    for line in printed:  # ...but the token shows in the URLs it prints and nowhere else
        assert token not in line or re.search(rf"http://\S+{path}\?token={token}$", line), line


def test_the_cookie_goes_to_the_secret_path_only_and_nothing_answers_outside_it(served, demo_db):
    """A browser sends a host's cookies to all its ports (RFC 6265 §8.5): another user's server on
    127.0.0.1:OTHER would get a cookie for `/`. Kompass's cookie is for its secret path only."""
    from aiohttp import web
    from yarl import URL as Address

    port, other = free_port(), free_port()
    server = served("--db", str(demo_db), "--lang", "en", "serve", "--port", str(port))
    root, path, token = server.url()
    cookie_name = f"kompass_token_{port}"
    elsewhere: list[tuple[str, str | None]] = []  # what the other server was sent: (path, Cookie header)

    async def record(request: web.Request) -> web.Response:
        elsewhere.append((request.path, request.headers.get("Cookie")))
        return web.Response(text="another server")

    async def visit() -> None:
        listener = web.Application()
        listener.router.add_route("*", "/{tail:.*}", record)
        runner = web.AppRunner(listener)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", other).start()
        try:
            # a jar that follows the standard, keeping cookies for an address as a browser does
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
                async with browser.get(f"{root}{path}?token={token}") as r:  # the printed URL
                    assert r.status == 200 and str(r.url) == f"{root}{path}" and "Kompass" in await r.text()
                [kept] = [morsel for morsel in browser.cookie_jar if morsel.key == cookie_name]
                assert kept.value == token and kept["path"] == path and kept["httponly"]
                # a cookie for `/` of the same address, as the old one was, goes to every port
                browser.cookie_jar.update_cookies({"for_every_port": "1"}, Address(f"{root}/"))
                for where in ("/", "/ws", "/static/js/textual.js", "/k-guess/", f"{path[:-1]}x/"):
                    async with browser.get(f"http://127.0.0.1:{other}{where}") as r:
                        assert r.status == 200
                # back at kompass, it comes along inside the secret path, and not outside it
                async with browser.get(f"{root}{path}", allow_redirects=False) as r:
                    assert r.status == 200
                for where in ("/", "/ws", "/static/js/textual.js", "/download/abc", "/nowhere"):
                    async with browser.get(root + where, allow_redirects=False) as r:
                        assert r.status == 401, where
                # what remains: a server asked for the secret path itself would get it; a browser
                # only asks for it at the address kompass printed
                async with browser.get(f"http://127.0.0.1:{other}{path}") as r:
                    assert r.status == 200
        finally:
            await runner.cleanup()

        # with the token but outside the secret path (clients that send any header they like):
        # nothing there, and nothing that shows the path, except `/` leading to the page
        async with session() as client:
            good = {"Cookie": f"{cookie_name}={token}"}
            for where in ("/ws", "/static/js/textual.js", "/static/", "/download/abc", "/nowhere", "/k-guess/"):
                async with client.get(root + where, headers=good, allow_redirects=False) as r:
                    assert r.status == 404 and path not in await r.text() and "Location" not in r.headers, where
                async with client.get(f"{root}{where}?token={token}", allow_redirects=False) as r:
                    assert r.status == 404 and "Set-Cookie" not in r.headers, where
            assert await handshake_status(client, f"ws://127.0.0.1:{port}/ws", origin=root, headers=good) == 404
            async with client.get(f"{root}/?token=wrong", allow_redirects=False) as r:
                assert r.status == 403 and path not in await r.text()
            for where in ("/", path[:-1]):  # a trimmed URL: to the page, the token never in a Location
                async with client.get(f"{root}{where}?token={token}&fontsize=20", allow_redirects=False) as r:
                    assert r.status == 303 and r.headers["Location"] == f"{path}?fontsize=20"
                    assert f"Path={path};" in r.headers["Set-Cookie"]
            # a same-named cookie for `/` that another server set (browsers send it after ours)
            # does not lock the owner out
            planted = {"Cookie": f"{cookie_name}={token}; {cookie_name}=planted"}
            async with client.get(f"{root}{path}", headers=planted) as r:
                assert r.status == 200

    asyncio.run(visit())
    assert [where for where, _ in elsewhere] == [
        "/",
        "/ws",
        "/static/js/textual.js",
        "/k-guess/",
        f"{path[:-1]}x/",
        path,
    ]
    for where, cookie in elsewhere[:-1]:
        assert cookie == "for_every_port=1", (where, cookie)  # the jar shares cookies between ports...
    assert token in elsewhere[-1][1]  # ...and sends kompass's only where its path is asked for


def test_a_tunnel_to_localhost_gets_a_page_for_localhost(served, demo_db):
    port = free_port()
    server = served("--db", str(demo_db), "serve", "--port", str(port))
    root, path, token = server.url()
    base = root + path
    assert f"ssh -L {port}:127.0.0.1:{port}" in "\n".join(server.out)
    assert f"http://localhost:{port}{path}?token={token}" in "\n".join(server.out)
    tunnel = f"localhost:{port}"  # what the browser at the tunnel's end sends as Host

    async def visit() -> None:
        async with session() as client:
            async with client.get(f"{base}?token={token}", headers={"Host": tunnel}, allow_redirects=False) as r:
                assert r.status == 303 and r.headers["Location"] == path
            cookie = {"Cookie": f"kompass_token_{port}={token}", "Host": tunnel}
            async with client.get(base, headers=cookie) as r:
                assert r.status == 200
                assert page_urls(await r.text()) == (f"ws://{tunnel}{path}ws", f"http://{tunnel}{path}static/")
            ws = f"ws://127.0.0.1:{port}{path}ws"
            assert await handshake_status(client, ws, origin=f"http://{tunnel}", headers=cookie) == 101
            assert await handshake_status(client, ws, origin=f"http://127.0.0.1:{port}", headers=cookie) == 403
            async with client.get(base, headers={**cookie, "Host": "<script>"}) as r:
                assert r.status == 400  # a Host that is not a host is never written into the page

    asyncio.run(visit())


# -- other addresses -----------------------------------------------------------------------------


def test_an_address_other_machines_reach_needs_allow_remote(demo_db):
    for host in ("0.0.0.0", "192.0.2.1", "::", "example.org"):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "kompass_tui",
                "--db",
                str(demo_db),
                "serve",
                "--host",
                host,
                "--port",
                str(free_port()),
            ],
            capture_output=True,
            text=True,
            timeout=START,
        )
        assert result.returncode == 1 and result.stdout == "", result
        [line] = result.stderr.splitlines()
        assert line.startswith(f"kompass: --host {host} ") and "--allow-remote" in line


def test_a_host_or_socket_with_control_characters_is_refused_without_writing_them(demo_db, tmp_path):
    for option, value in (("--host", "evil\x1b]52;c;aGk=\x07"), ("--socket", f"{tmp_path}/run\x1b[2J/kompass.sock")):
        result = subprocess.run(
            [sys.executable, "-m", "kompass_tui", "--db", str(demo_db), "serve", option, value],
            capture_output=True,
            text=True,
            timeout=START,
        )
        assert result.returncode == 1 and result.stdout == "", result
        [line] = result.stderr.splitlines()
        assert line.startswith(f"kompass: {option} ") and "\x1b" not in line and "\x07" not in line, line
    assert not any(tmp_path.glob("run*"))


def test_the_ssh_command_for_a_socket_is_quoted_for_the_shell():
    from kompass_tui.tui.serve import OwnerServer

    server = OwnerServer("true", port=8001, socket_path=Path("/srv/my files/kompass.sock"), token="T")
    lines = server.connect_lines()
    assert any("ssh -L '8001:/srv/my files/kompass.sock' " in line for line in lines)
    assert re.fullmatch(r"/k-[A-Za-z0-9_-]{16}/", server.prefix)
    assert [m.group(0) for line in lines if (m := URL.search(line))] == [
        f"http://localhost:8001{server.prefix}?token=T"
    ]
    assert OwnerServer("true", port=8001).prefix != server.prefix  # each run its own path


def test_a_login_name_with_escapes_never_reaches_the_terminal(served, demo_db):
    server = served(
        "--db",
        str(demo_db),
        "serve",
        "--port",
        str(free_port()),
        LOGNAME="me\x1b]52;c;aGk=\x07\x1b[2J",
        USER="me\x1b[2J",
    )
    server.url()  # it listens and has printed where to connect
    [ssh] = [line for line in server.out if "ssh -L" in line]
    assert " you@" in ssh  # a name that is not plain text is left for the user to fill in
    assert not any(c in line for line in server.out + server.err for c in "\x1b\x07")


def test_allow_remote_warns_on_stderr(served, demo_db):
    port = free_port()
    server = served("--db", str(demo_db), "serve", "--host", "0.0.0.0", "--port", str(port), "--allow-remote")
    root, path, token = server.url()
    assert root == f"http://0.0.0.0:{port}"
    warning = server.wait_for("warning", err=True).string
    assert "anyone who can reach" in warning and "no TLS" in warning and token not in warning

    async def visit() -> None:  # it listens, and still wants the token
        async with session() as client:
            for where in ("/", path):
                async with client.get(f"http://127.0.0.1:{port}{where}", allow_redirects=False) as r:
                    assert r.status == 401

    asyncio.run(visit())
    assert server.stop() == 0


def test_a_busy_port_is_one_line(demo_db):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "kompass_tui", "--db", str(demo_db), "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=START,
        )
    assert result.returncode == 1 and result.stdout == "", result
    assert (
        result.stderr
        == f"kompass: cannot listen on 127.0.0.1:{port}: Address already in use (choose another --port?)\n"
    )


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "::1", "localhost", "LOCALHOST"])
def test_loopback_needs_no_flag(host):
    from kompass_tui.tui.serve import check_host, is_loopback

    assert is_loopback(host) and check_host(host, allow_remote=False) is None


def test_the_server_module_stays_light_and_logs_no_local_variables():
    """The CLI loads aiohttp only for `serve`, the server module never loads textual (the app runs
    in a child process), and its log tracebacks never show local variables (notes, the token)."""
    code = (
        "import logging, sys\n"
        "import kompass_tui.cli\n"
        "assert 'aiohttp' not in sys.modules and 'textual_serve' not in sys.modules\n"
        "from kompass_tui.tui.serve import OwnerServer\n"
        "server = OwnerServer('true', port=8123)\n"
        "server.initialize_logging()\n"
        "handlers = [h for name in ('textual-serve', 'aiohttp', '') for h in logging.getLogger(name).handlers]\n"
        "assert handlers and all(getattr(h, 'tracebacks_show_locals', False) is False for h in handlers), handlers\n"
        "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=START)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# -- on a Unix socket ----------------------------------------------------------------------------


def test_a_unix_socket_in_a_private_folder_still_needs_the_token(served, demo_db, tmp_path):
    folder = tmp_path / "run"
    sock = folder / "kompass.sock"
    server = served("--db", str(demo_db), "serve", "--socket", str(sock))
    root, path, token = server.url()
    assert root == "http://localhost:8000"  # the tunnel's end: ssh -L 8000:SOCKET
    base = root + path
    printed = "\n".join(server.out)
    assert f"ssh -L 8000:{sock} " in printed
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and stat.S_ISSOCK(sock.stat().st_mode)

    async def visit() -> None:
        async with session(connector=aiohttp.UnixConnector(path=str(sock))) as client:
            for where in (f"{root}/", base):
                async with client.get(where, allow_redirects=False) as r:
                    assert r.status == 401
            async with client.get(f"{base}?token=wrong", allow_redirects=False) as r:
                assert r.status == 403
            async with client.get(f"{base}?token={token}", allow_redirects=False) as r:
                assert r.status == 303 and r.headers["Location"] == path
                assert f"Path={path};" in r.headers["Set-Cookie"]
            cookie = {"Cookie": f"kompass_token_8000={token}"}
            async with client.get(base, headers=cookie) as r:
                assert r.status == 200
                assert page_urls(await r.text()) == (f"ws://localhost:8000{path}ws", f"{base}static/")
            async with client.get(f"{root}/static/js/textual.js", headers=cookie) as r:
                assert r.status == 404  # nothing outside the secret path
            ws = f"ws://localhost:8000{path}ws"
            assert await handshake_status(client, ws, origin="http://localhost:8000") == 401
            assert await handshake_status(client, ws, origin="http://evil.example", headers=cookie) == 403
            assert await handshake_status(client, ws, origin="http://localhost:8000", headers=cookie) == 101

    asyncio.run(visit())
    assert server.stop() == 0
    assert not sock.exists()  # it removes its socket when it stops

    with socket.socket(socket.AF_UNIX) as stale:  # a socket left by a server that was killed
        stale.bind(str(sock))
    again = served("--db", str(demo_db), "serve", "--socket", str(sock))  # the folder is reused
    _, again_path, again_token = again.url()
    assert again_path != path and again_token != token  # each run its own path and token
    taken = subprocess.run(
        [sys.executable, "-m", "kompass_tui", "--db", str(demo_db), "serve", "--socket", str(sock)],
        capture_output=True,
        text=True,
        timeout=START,
    )
    assert taken.returncode == 1 and taken.stderr.startswith("kompass: a server already listens on")


def test_a_socket_folder_others_can_enter_is_refused(demo_db, tmp_path):
    cases = {"open": 0o777, "group": 0o750, "others": 0o701}
    if os.geteuid() == 0:
        cases["theirs"] = 0o700
    for name, mode in cases.items():
        folder = tmp_path / name
        folder.mkdir()
        folder.chmod(mode)
        if name == "theirs":
            os.chown(folder, NOBODY, NOBODY)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "kompass_tui",
                "--db",
                str(demo_db),
                "serve",
                "--socket",
                str(folder / "kompass.sock"),
            ],
            capture_output=True,
            text=True,
            timeout=START,
        )
        assert result.returncode == 1 and result.stdout == "", result
        [line] = result.stderr.splitlines()
        assert line.startswith(f"kompass: the socket folder {folder} "), line
        assert ("someone else" if name == "theirs" else f"mode {mode:o}") in line
        assert stat.S_IMODE(folder.stat().st_mode) == mode and not (folder / "kompass.sock").exists()  # untouched


# -- another user on the same machine ------------------------------------------------------------

INTRUDER = r"""
import http.client, json, os, socket, sys
port, base, db, db_file, run, sock = sys.argv[1:]

def attempt(action):
    try:
        action()
        return "allowed"
    except PermissionError:
        return "PermissionError"
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"

def status(path):
    connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
    connection.request("GET", path)
    return connection.getresponse().status

def connect():
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(sock)

print(json.dumps({
    "ids": [os.getuid(), os.geteuid(), os.getgid(), os.getgroups()],
    "page": status("/"), "guess": status("/?token=guess"), "static": status("/static/js/textual.js"),
    "base": sorted(os.listdir(base)),
    "list db": attempt(lambda: os.listdir(db)),
    "read db": attempt(lambda: open(db_file, "rb").read()),
    "list socket folder": attempt(lambda: os.listdir(run)),
    "connect socket": attempt(connect),
}))
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run a child as a second user (nobody, uid 65534)")
def test_another_user_on_the_machine_is_kept_out(served):
    # A folder nobody may enter and list, so that what it cannot do is due to the folders kompass
    # makes, not to pytest's private tmp folders. Root itself ignores file modes: only the child,
    # running as nobody, proves anything about them.
    # The child runs the system's python (it needs only the standard library): this one may sit
    # in a folder of root's that nobody cannot enter.
    python = shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin")
    if python is None:
        pytest.skip("no system python3 for the second user to run")
    base = Path(tempfile.mkdtemp(prefix="kompass-serve-"))
    try:
        base.chmod(0o755)
        db, run = base / "db", base / "run"
        Workbench(db).load_demo()
        assert stat.S_IMODE(db.stat().st_mode) == 0o700
        db_file = next(p for p in db.rglob("*") if p.is_file())
        port = free_port()
        tcp = served("--db", str(db), "serve", "--port", str(port))
        local = served("--db", str(db), "serve", "--socket", str(run / "kompass.sock"))
        try:
            tcp.url(), local.url()  # both listen
            child = subprocess.run(
                [
                    python,
                    "-I",
                    "-c",
                    INTRUDER,
                    str(port),
                    str(base),
                    str(db),
                    str(db_file),
                    str(run),
                    str(run / "kompass.sock"),
                ],
                user=NOBODY,
                group=NOBODY,
                extra_groups=[],
                cwd="/",
                env={"PATH": "/usr/bin:/bin"},
                capture_output=True,
                text=True,
                timeout=START,
            )
            assert child.returncode == 0, child.stderr
            seen = json.loads(child.stdout)
            assert seen["ids"] == [NOBODY, NOBODY, NOBODY, []]
            assert seen["base"] == ["db", "run"]  # it can look around, so the refusals below are the folders'
            assert (seen["page"], seen["guess"], seen["static"]) == (401, 403, 401)
            assert seen["list db"] == seen["read db"] == "PermissionError"
            assert seen["list socket folder"] == seen["connect socket"] == "PermissionError"
        finally:
            tcp.stop(), local.stop()
    finally:
        shutil.rmtree(base)
