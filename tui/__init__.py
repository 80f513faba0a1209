"""number-wizard: buy and configure a Twilio mobile phone number from the terminal.

This module stays free of Textual so that `import tui.domain` is light.
"""

__version__ = "0.1.0"
