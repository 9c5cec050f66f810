"""The Textual app, its screens and widgets, its background writer, and the browser server."""
