"""`number-wizard sandbox serve`: the offline Twilio on loopback."""

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
    help="Address to bind. Anything but loopback exposes the sandbox to your network.",
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
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Keep the sandbox's state (purchases, released numbers) in this JSON file across restarts.",
)
def serve(host: str, port: int, state: Path | None) -> None:
    """Serve the sandbox over HTTP until interrupted (Ctrl+C).

    Prints the base URL and the test credentials. Point number-wizard at it with
    --api-url, or Twilio's own helper libraries with a custom HTTP client.
    """
    from tui.sandbox.server import serve_forever

    try:
        serve_forever(host, port, state, announce=lambda line: click.echo(line))
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    except KeyboardInterrupt:
        click.echo("sandbox stopped.", err=True)
