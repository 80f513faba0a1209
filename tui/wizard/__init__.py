"""The wizard's flow and state, free of Textual (screens present them)."""
