"""Helpers shared by the Pilot tests (tests/tui) and the snapshot tests (tests/snapshots)."""
