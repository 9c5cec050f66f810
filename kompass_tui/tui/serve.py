"""`kompass serve`: the app in a browser, for the person who started it and nobody else.

textual-serve alone lets anyone who can reach the port drive the app as the serving user. Here
every request needs this run's secret token: in the URL (`?token=`), which the first page turns into
an HttpOnly, SameSite=Strict cookie, or in that cookie. The app lives under a secret path made for
each run (`/k-…/`), and the cookie is limited to that path: browsers send a cookie to every port of
its host (RFC 6265 §8.5), so a cookie for `/` would reach any other server on this machine the
browser visits; one for the secret path reaches only servers asked for that path, i.e. this one.
The websocket must also come from a page of the very address it is opened on (Origin = Host), so
another web site cannot open it. It listens on loopback unless told otherwise, or on a Unix socket
in a folder only the user can enter.

This module imports aiohttp and textual-serve; it never imports textual (the app runs in a child
process), and the CLI imports it only inside `kompass serve`."""

from __future__ import annotations

import asyncio
import errno
import getpass
import hmac
import ipaddress
import logging
import os
import re
import secrets
import shlex
import signal
import socket
import stat
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import WSCloseCode, web
from aiohttp.abc import AbstractAccessLogger
from rich.console import Console
from rich.logging import RichHandler
from textual_serve.server import LogHighlighter, Server, to_int

from kompass_tui.errors import KompassError

log = logging.getLogger("textual-serve")

# A Host header as browsers send it: a name or an IPv4 address, or an IPv6 one in brackets, and a
# port. Anything else is refused before it is written into the page.
_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9.])?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


# What --host may be: a name or an address, nothing that could disturb a terminal or a URL.
_HOST_ARG = re.compile(r"[A-Za-z0-9._%:\[\]-]*")


class ServeError(KompassError):
    """A host, port or socket `kompass serve` will not use, and what to do instead."""


def is_loopback(host: str) -> bool:
    """True for `localhost` and the loopback addresses (127.0.0.0/8, ::1): this machine only."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str, allow_remote: bool) -> str | None:
    """Refuse a host other machines can reach unless allowed; when allowed, the warning to print."""
    if not _HOST_ARG.fullmatch(host):
        raise ServeError(f"--host {host!r} is not a host name or an IP address")
    if is_loopback(host):
        return None
    if not allow_remote:
        raise ServeError(
            f"--host {host or '(all addresses)'} can be reached from other machines; "
            "use --socket or an SSH tunnel to 127.0.0.1, or add --allow-remote if you mean it"
        )
    return (
        f"kompass: warning: listening on {host or 'all addresses'}: anyone who can reach this address "
        "and has the URL can use the app as you, and nothing is encrypted (no TLS); "
        "an SSH tunnel to 127.0.0.1 or --socket is safer"
    )


def url_host(host: str) -> str:
    """The host as it is written in a URL: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def prepare_socket(path: Path) -> Path:
    """The socket's full path, in a folder that is the user's own and closed to everybody else.

    A missing folder is created 0700 (missing parents too); an existing one must be owned by the
    user and have no group or other permissions. A socket left over by a stopped server is removed;
    one a live server answers on is refused."""
    path = Path(path).expanduser()
    if not str(path).isprintable():
        raise ServeError(f"--socket {str(path)!r} has control characters; choose a plainer path")
    if path.name in ("", ".", ".."):
        raise ServeError(f"--socket {path}: give a file name for the socket, e.g. {path / 'kompass.sock'}")
    folder = Path(os.path.realpath(path.parent))
    path = folder / path.name
    missing = []
    while not os.path.lexists(folder):
        missing.append(folder)
        folder = folder.parent
    for made in reversed(missing):
        made.mkdir(mode=0o700)  # only ever narrowed by the umask; never widened by chmod afterwards
    folder = path.parent
    info = os.stat(folder)
    if not stat.S_ISDIR(info.st_mode):
        raise ServeError(f"the socket folder {folder} is not a folder")
    if info.st_uid != os.geteuid():
        raise ServeError(
            f"the socket folder {folder} belongs to someone else (uid {info.st_uid}); "
            "choose a folder of your own, e.g. ~/.kompass-serve/kompass.sock"
        )
    if info.st_mode & 0o077:
        raise ServeError(
            f"the socket folder {folder} is open to others (mode {stat.S_IMODE(info.st_mode):o}); "
            f"choose a folder that does not exist yet (it is created 0700) or run chmod 700 {folder}"
        )
    if os.path.lexists(path):
        if path.is_dir() or not stat.S_ISSOCK(os.lstat(path).st_mode):
            raise ServeError(f"{path} exists and is not a socket; choose another name")
        with socket.socket(socket.AF_UNIX) as probe:
            try:
                probe.connect(str(path))
            except ConnectionRefusedError:
                path.unlink()  # a stopped server's; the folder is ours alone, so nobody can swap it
            else:
                raise ServeError(f"a server already listens on {path}; stop it or choose another socket")
    if len(os.fsencode(path)) > 100:
        raise ServeError(f"the socket path {path} is too long for a Unix socket; choose a shorter one")
    return path


def _login() -> str:
    try:
        name = getpass.getuser()  # LOGNAME or USER first: whatever the environment says
    except Exception:  # no login name in this environment: a placeholder the user replaces
        return "you"
    return name if name and name.isprintable() else "you"


class _AccessLog(AbstractAccessLogger):
    """One line per request, without its query: the token in `?token=` is never logged."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        path = "".join(
            c if c.isprintable() else ascii(c)[1:-1] for c in request.rel_url.raw_path
        )  # no escapes to the terminal
        self.logger.info("%s %s %s %s", request.remote or "socket", request.method, path, response.status)


class OwnerServer(Server):
    """textual-serve's server, answering only requests that carry this run's token."""

    def __init__(
        self,
        command: str,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        socket_path: Path | None = None,
        title: str = "Kompass",
        token: str | None = None,
        prefix: str | None = None,
    ):
        super().__init__(command, host=host, port=port, title=title)
        self.socket_path = socket_path
        self.token = token or secrets.token_urlsafe(32)
        # Where the app lives: a path nobody else knows, so that the cookie, limited to it, is sent
        # to this server only (browsers send cookies to every port of a host; RFC 6265 §8.5). It
        # hides the cookie; the token is still what lets a request in.
        self.prefix = prefix or f"/k-{secrets.token_urlsafe(12)}/"
        self.cookie_name = f"kompass_token_{port}"
        self.console = Console(stderr=True)  # logs; where to connect goes to stdout (connect_lines)
        self._sockets: set[web.WebSocketResponse] = set()

    # -- where to connect --------------------------------------------------------------------

    def connect_lines(self) -> list[str]:
        """What to print once it listens; the token appears in the URLs and nowhere else."""
        query = urlencode({"token": self.token})
        path = self.prefix
        where = shlex.quote(f"{_login()}@{socket.gethostname()}")  # the ssh target, quoted for the shell
        if self.socket_path is not None:
            return [
                f"Kompass in the browser, for you only, on the socket {self.socket_path}",
                f"On your computer run:  ssh -L {shlex.quote(f'{self.port}:{self.socket_path}')} {where}",
                f"then open  http://localhost:{self.port}{path}?{query}",
                "Whoever has this URL can use the app as you until you stop it (ctrl+c).",
            ]
        host = url_host(self.host)
        lines = [f"Kompass in the browser, for you only: http://{host}:{self.port}{path}?{query}"]
        if is_loopback(self.host):
            lines += [
                f"From another machine:  ssh -L {self.port}:{host}:{self.port} {where}",
                f"then open  http://localhost:{self.port}{path}?{query}",
            ]
        lines.append("Whoever has this URL can use the app as you until you stop it (ctrl+c).")
        return lines

    # -- checks on every request -------------------------------------------------------------

    def _valid(self, given: str) -> bool:
        return hmac.compare_digest(given.encode("utf-8", "replace"), self.token.encode("ascii"))

    def _from_cookie(self, request: web.Request) -> str | None:
        """The cookie's value; of several with its name, the right one if any. Another server on
        this host can set a same-named cookie for `/`, which browsers send after ours and aiohttp's
        parser would prefer, only to lock the user out."""
        values = [
            value.strip()
            for header in request.headers.getall("Cookie", [])
            for name, _, value in (part.partition("=") for part in header.split(";"))
            if name.strip() == self.cookie_name
        ]
        return next((value for value in values if self._valid(value)), values[0] if values else None)

    @staticmethod
    def _same_origin(request: web.Request) -> bool:
        """The websocket is opened by a page of this very address (as the browser reached it)."""
        origin = request.headers.get("Origin", "").lower()
        host = request.headers.get("Host", "").lower()
        return bool(origin and host) and origin in (f"http://{host}", f"https://{host}")

    @staticmethod
    def _refuse(status: int, text: str) -> web.Response:
        return web.Response(status=status, text=f"{text}\n", headers={"Cache-Control": "no-store"})

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        in_url = "token" in request.query
        given = request.query.get("token") if in_url else self._from_cookie(request)
        if given is None:
            return self._refuse(
                401,
                "401 Unauthorized: open the address kompass serve printed; it carries the token "
                "(if you followed a link to it from another site, reload this page).",
            )
        if not self._valid(given):
            return self._refuse(
                403, "403 Forbidden: wrong token, or one from an earlier run; open the address kompass serve printed."
            )
        websocket = (
            request.match_info.route.name == "websocket" or request.headers.get("Upgrade", "").lower() == "websocket"
        )
        if websocket and not self._same_origin(request):
            log.warning(
                "refused a websocket from origin %r for host %r",
                request.headers.get("Origin"),
                request.headers.get("Host"),
            )
            return self._refuse(403, "403 Forbidden: the websocket must come from this address's own page.")
        # With the token, the page's address, `/` (a trimmed URL) and the prefix without its final
        # slash lead to the page; the token leaves the address bar for a cookie. Every other path
        # outside the prefix is not found (the router has nothing else).
        home = request.path in ("/", self.prefix[:-1]) or (in_url and request.path == self.prefix)
        if home and request.method in ("GET", "HEAD"):
            rest = [(key, value) for key, value in request.query.items() if key != "token"]
            response = web.HTTPSeeOther(self.prefix + (f"?{urlencode(rest)}" if rest else ""))
            response.headers["Cache-Control"] = "no-store"
            if in_url:
                response.set_cookie(self.cookie_name, self.token, path=self.prefix, httponly=True, samesite="Strict")
            raise response
        return await handler(request)

    @staticmethod
    async def _headers(request: web.Request, response: web.StreamResponse) -> None:
        response.headers.setdefault("Referrer-Policy", "no-referrer")

    async def _make_app(self) -> web.Application:
        """textual-serve's routes (page, /ws, /static, /download) under the secret prefix, and
        nothing outside it."""
        app = web.Application(middlewares=[self._guard])
        app.add_subapp(self.prefix, await super()._make_app())
        app.on_response_prepare.append(self._headers)
        return app

    # -- the page: URLs from the Host the browser used ---------------------------------------

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        """textual-serve's page, with its websocket and static URLs on the host the browser asked
        for (an SSH tunnel's localhost:8000), not on the address the server listens on."""
        host = request.headers.get("Host", "")
        if not _HOST.fullmatch(host):
            raise web.HTTPBadRequest(text="400 Bad Request: no usable Host header\n")
        secure = request.secure
        router = request.app.router
        static = str(router["static"].url_for(filename="/")).rstrip("/") + "/"
        return {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{'wss' if secure else 'ws'}://{host}{router['websocket'].url_for()}",
            "config": {"static": {"url": f"{'https' if secure else 'http'}://{host}{static}"}},
            "application": {"name": self.title},
        }

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: Any) -> None:
        self._sockets.add(websocket)  # so that stopping the server ends every session at once
        try:
            await super()._process_messages(websocket, app_service)
        finally:
            self._sockets.discard(websocket)

    # -- logging, start and stop -------------------------------------------------------------

    def initialize_logging(self) -> None:
        """textual-serve's log lines, but tracebacks without local variables (they can hold notes)
        and on this server's own loggers only."""
        handler = RichHandler(
            show_path=False,
            show_time=False,
            rich_tracebacks=True,
            tracebacks_show_locals=False,
            highlighter=LogHighlighter(),
            console=self.console,
        )
        handler.setFormatter(logging.Formatter("%(message)s", datefmt="[%X]"))
        for name in ("textual-serve", "aiohttp"):
            logger = logging.getLogger(name)
            for old in list(logger.handlers):
                logger.removeHandler(old)
            logger.addHandler(handler)
            logger.setLevel(logging.DEBUG if self.debug else logging.INFO)
            logger.propagate = False

    async def on_startup(self, app: web.Application) -> None:
        """Quiet: the CLI prints where to connect once the server listens."""

    async def on_shutdown(self, app: web.Application) -> None:
        for websocket in list(self._sockets):
            await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")

    def serve(self, debug: bool = False, on_listening: Callable[[], None] | None = None) -> None:
        """Listen until SIGINT or SIGTERM; `on_listening` runs once requests can arrive."""
        self.debug = debug
        self.initialize_logging()
        asyncio.run(self._serve(on_listening))

    async def _serve(self, on_listening: Callable[[], None] | None) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        runner = web.AppRunner(
            await self._make_app(),
            handle_signals=False,
            access_log_class=_AccessLog,
            access_log=logging.getLogger("aiohttp.access"),
            shutdown_timeout=10,
        )
        await runner.setup()
        try:
            if self.socket_path is not None:
                site: web.BaseSite = web.UnixSite(runner, str(self.socket_path))
                where = str(self.socket_path)
            else:
                site = web.TCPSite(runner, self.host, self.port)
                where = f"{url_host(self.host)}:{self.port}"
            try:
                await site.start()
            except OSError as exc:
                if isinstance(exc, socket.gaierror):  # a --host name that does not resolve
                    reason, hint = exc.strerror or str(exc), ""
                else:  # asyncio words a busy port at length; the errno's own text is enough
                    reason = os.strerror(exc.errno) if exc.errno else str(exc)
                    hint = (
                        " (choose another --port?)"
                        if exc.errno == errno.EADDRINUSE and self.socket_path is None
                        else ""
                    )
                raise ServeError(f"cannot listen on {where}: {reason}{hint}") from None
            if on_listening is not None:
                on_listening()
            await stop.wait()
        finally:
            await runner.cleanup()
            if self.socket_path is not None and os.path.lexists(self.socket_path):
                try:
                    self.socket_path.unlink()
                except OSError:
                    pass
