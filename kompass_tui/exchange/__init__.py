"""What goes in and out as files: CSV, JSON, the Markdown report and its text charts."""
