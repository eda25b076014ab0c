"""Private files: the data folder 0700, the store and its WAL/SHM files 0600.

Permissions are set explicitly after creation, so the result does not depend on the
umask of whoever runs the program.
"""

from __future__ import annotations

import os
from pathlib import Path

#: SQLite's companions of a database file, written in WAL mode.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> None:
    """Create ``path`` if needed and make it readable by its owner only (0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)


def private_file(path: Path) -> None:
    """Create ``path`` empty if needed and make it readable by its owner only (0600)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        os.close(fd)
    os.chmod(path, 0o600)


def private_sqlite(database: Path) -> None:
    """The SQLite file and whichever companions exist, 0600.

    SQLite gives the WAL and SHM files it creates the database file's permissions, so a
    database created 0600 keeps them private; existing ones are tightened here too.
    """
    private_file(database)
    for suffix in SQLITE_COMPANIONS:
        companion = database.with_name(database.name + suffix)
        if companion.exists():
            os.chmod(companion, 0o600)
