"""The disk: the database folder (atomic files, the lock, the index, kept versions, batches) and
the installed framework files. Every byte Kompass writes is written here.

    files.py     atomic writes, own files only, the JSON form of the files
    folder.py    the folder's checks and its lock            (class Folder)
    batches.py   all-or-nothing batches                      (class Batches(Folder))
    index.py     the index, a cache of summary rows in parts (class Indexed(Batches)); rowcheck.py
                 what a row must hold to be trusted
    database.py  evaluations: read, save, keep, restore      (class Database(Indexed))
    criteria.py  the installed framework files; userfiles.py files a user gives to read
"""

from kompass_tui.store.database import Database
from kompass_tui.store.files import SCHEMA, Doc, Fingerprint, _make_dirs, atomic_write, write_file
from kompass_tui.store.folder import DEFAULT_WAIT

__all__ = ["DEFAULT_WAIT", "SCHEMA", "Database", "Doc", "Fingerprint", "_make_dirs", "atomic_write", "write_file"]
