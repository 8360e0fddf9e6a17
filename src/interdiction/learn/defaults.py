"""Defaults of the learned classifier, importable without loading scikit-learn (the CLI)."""

DEFAULT_SEED = 1
DEFAULT_TARGET_PRECISION = 0.97
