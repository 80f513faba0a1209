"""`python -m tui.sandbox [--host H] [--port P] [--state FILE]`: serve the sandbox.

The same as `number-wizard sandbox serve`, usable before the CLI is installed.
"""

import sys

from tui.sandbox.server import main

if __name__ == "__main__":
    sys.exit(main())
