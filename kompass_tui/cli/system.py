"""Commands for where Kompass runs: serve (in a browser), locate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import click
import typer

from kompass_tui.cli.main import (
    AsOption,
    DbOption,
    LangOption,
    _bench,
    _evaluator,
    _lang,
    _root_obj,
    _say,
    app,
)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            metavar="ADDRESS",
            help="Address to listen on. The default, loopback, is reachable from this machine only; any other address needs --allow-remote.",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option(
            "--port",
            "-p",
            metavar="PORT",
            help="Port to listen on (with --socket: the local port of the SSH tunnel it suggests).",
            min=1,
            max=65535,
        ),
    ] = 8000,
    socket_path: Annotated[
        Optional[Path],
        typer.Option(
            "--socket",
            metavar="PATH",
            help="Listen on this Unix socket instead of a port, in a folder only you can enter (created 0700 if missing). Reach it with ssh -L 8000:PATH you@server.",
            show_default=False,
        ),
    ] = None,
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote",
            help="Allow a --host other machines can reach: anyone who can reach it and has the URL can use the app, and nothing is encrypted.",
        ),
    ] = False,
    db: DbOption = None,
    lang: LangOption = None,
    as_: AsOption = None,
) -> None:
    """Run the app in a browser (textual-serve), for colleagues who do not use a terminal.

    Each browser tab runs its own session of the app on this database; every change is saved as in
    the terminal. Each run makes a secret token and a secret path and prints the URL that carries
    them: the server refuses every request without the token. It listens on 127.0.0.1 by default.
    From another machine, tunnel over SSH (there is no encryption otherwise) and open the printed
    http://localhost:8000/k-.../?token=... URL:

    \b
    ssh -L 8000:127.0.0.1:8000 you@this-server

    Or listen on a Unix socket in a folder of yours, which other users cannot even reach:

    \b
    kompass serve --socket ~/.kompass-serve/kompass.sock
    ssh -L 8000:/home/you/.kompass-serve/kompass.sock you@this-server"""
    import shlex

    from kompass_tui.tui.serve import (
        OwnerServer,
        ServeError,
        check_host,
        prepare_socket,
    )

    if socket_path is not None and (
        allow_remote or ctx.get_parameter_source("host") is click.core.ParameterSource.COMMANDLINE
    ):
        raise ServeError("--socket listens on a Unix socket only: leave out --host and --allow-remote")
    warning = None if socket_path is not None else check_host(host, allow_remote)
    bench = _bench(ctx, db)
    bench.db.exists()  # a wrong --db is refused here, not in every browser tab
    wait = _root_obj(ctx).get("wait")
    command = shlex.join(
        [
            sys.executable,
            "-m",
            "kompass_tui",
            "--db",
            str(bench.folder),
            "--lang",
            _lang(lang, ctx),
            "--as",
            _evaluator(ctx, as_),
            *(["--wait", str(wait)] if wait is not None else []),
        ]
    )
    if socket_path is not None:
        socket_path = prepare_socket(socket_path)
    if warning:
        _say(warning, err=True)
    server = OwnerServer(command, host=host, port=port, socket_path=socket_path, title="Kompass")

    def say_where() -> None:
        for line in server.connect_lines():
            _say(line)

    server.serve(on_listening=say_where)


@app.command()
def locate(ctx: typer.Context, db: DbOption = None) -> None:
    """Print where the data and the frameworks are."""
    from kompass_tui import paths

    bench = _bench(ctx, db)
    for label, path in (
        ("database", bench.folder),
        ("kept versions", bench.db.backups),
        ("your frameworks", paths.user_criteria_dir()),
        ("built-in frameworks", paths.bundled_criteria_dir()),
        ("settings", paths.settings_file()),
    ):
        _say(f"{label + ':':<21} {path}")
