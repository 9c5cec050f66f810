"""The disk: the database folder (atomic files, the lock, the index, kept versions, batches) and
the installed framework files. Every byte Kompass writes is written here."""

from kompass_tui.store.database import (
    DEFAULT_WAIT,
    SCHEMA,
    Database,
    _make_dirs,
    atomic_write,
    write_file,
)

__all__ = ["DEFAULT_WAIT", "SCHEMA", "Database", "_make_dirs", "atomic_write", "write_file"]
