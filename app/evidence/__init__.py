"""Evidence file format: TOML files read into frozen dataclasses, every problem collected."""
