"""Kompass: a keyboard-driven workbench for Kommunkompassen evaluations."""

__version__ = "0.1.0"
