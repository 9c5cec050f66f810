"""Textual screens: thin views over the workbench."""
