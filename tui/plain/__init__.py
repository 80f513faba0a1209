"""The plain mode: the wizard's steps as questions asked one line at a time.

For screen readers, serial consoles, terminals without cursor addressing
(`TERM=dumb`) and logged sessions: no colour, no cursor movement, no box drawing,
no line rewritten; progress is one line per event. It runs the same field
catalogue, rules, compliance checks, purchase attempt, receipts and draft file as
the full-screen wizard (README, "Plain mode").

A front end at the app's level: it uses tui.wizard, tui.services and tui.domain,
never Textual or Rich (pyproject.toml's import contracts), and reads and writes
through streams it is given, so tests drive it with io.StringIO.
"""
