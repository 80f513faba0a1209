"""`python -m tui.sandbox [--host H] [--port P] [--state FILE]`: serve the sandbox.

The same as `number-wizard sandbox serve`, usable before the CLI is installed.
"""

import argparse
from pathlib import Path

from tui.sandbox.server import DEFAULT_HOST, DEFAULT_PORT, serve_forever


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tui.sandbox", description=__doc__)
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--state", type=Path, default=None, help="JSON file keeping purchases")
    arguments = parser.parse_args()
    serve_forever(arguments.host, arguments.port, arguments.state, announce=print)


if __name__ == "__main__":
    main()
