"""`number-wizard sandbox serve`: the offline Twilio over HTTP."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def sandbox() -> None:
    """The offline Twilio sandbox."""


@sandbox.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind. Anything but loopback exposes the sandbox, its published test "
    "credentials and its unauthenticated admin endpoints to your network.",
)
@click.option(
    "--port",
    default=8080,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--state",
    type=str,
    default=None,
    metavar="FILE",
    help="Keep the sandbox's state (purchases, released numbers) in this JSON file across "
    "restarts. A missing file starts afresh; a file that is not a sandbox state is refused.",
)
def serve(host: str, port: int, state: str | None) -> None:
    """Serve the sandbox over HTTP until interrupted (Ctrl+C).

    Prints the base URL and the test credentials. Point number-wizard at it with
    --api-url, or Twilio's own helper libraries with a custom HTTP client.

    \b
    Examples:
      number-wizard sandbox serve --port 8080 --state sandbox-state.json
      number-wizard --api-url http://127.0.0.1:8080 buy --phone-number +46701740612 --yes
    """
    from tui.sandbox.server import serve_forever
    from tui.sandbox.state import StateFileError

    if state is not None and not state.strip():
        _fail("--state: give a file name, e.g. --state sandbox-state.json")
    try:
        serve_forever(
            host,
            port,
            Path(state) if state is not None else None,
            announce=lambda line: click.echo(line),
            warn=lambda line: click.echo(line, err=True),
        )
    except StateFileError as error:
        _fail(f"--state: {error}")
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


def _fail(message: str) -> None:
    """One line on stderr and exit code 2 (bad input), as the other commands do."""
    click.echo(f"error: {message}", err=True)
    raise SystemExit(2)
