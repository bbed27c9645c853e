"""The version, as a constant the hot path can read without importlib.metadata."""

VERSION = "0.1.0"
