"""number-wizard: buy and configure a Twilio mobile phone number from the terminal.

This module stays free of Textual so that `import tui.domain` is light.
"""

import sys

__version__ = "0.1.0"

# httpx imports its own command line (`httpx._main`: click, rich and pygments) on
# every `import httpx` when those happen to be installed, as they are here, and
# falls back to a stub when that import fails
# (https://github.com/encode/httpx/pull/3547). number-wizard never runs httpx's
# command line, so the fallback is taken: `buy` and `search` start about 40 ms
# sooner. `setdefault` leaves a real `httpx._main` alone if one is loaded already.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
