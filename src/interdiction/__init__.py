"""Interdiction: find, review and share evidence of online trafficking of dangerous substances."""

__version__ = "0.1.0"
