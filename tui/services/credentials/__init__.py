"""Where credentials come from: the environment, stored profiles (keyring), the
sandbox. Nothing here imports Textual."""
