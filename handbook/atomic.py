"""Writing a file so that a reader (or a racing process) sees the old file or the new one, never half."""
from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it over. The file is created with mode 0666
    less the user's umask, as ``open`` would (``tempfile.mkstemp`` makes 0600: a PDF copied to a shared
    folder or served by a web server would be unreadable to others). An OSError names ``path`` (or the
    folder that could not be made), never the temporary file, which the caller does not know of."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        temp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            break
        except FileExistsError:
            continue
        except OSError as exc:
            raise _naming(exc, path) from exc
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _naming(exc, path) from exc
        raise


def _naming(exc: OSError, path: Path) -> OSError:
    """The same error (its errno picks the same subclass), about ``path``."""
    return OSError(exc.errno, exc.strerror, str(path)) if exc.errno is not None else exc


def not_a_folder(folder: Path) -> Path | None:
    """What stands where ``folder`` (or one of the folders it would be made in) must be: the nearest of
    them that exists and is not a folder (a file, a device, a broken link), or None when the folder
    exists or could be made there."""
    for place in (folder, *folder.parents):
        try:
            return None if stat.S_ISDIR(os.stat(place).st_mode) else place
        except OSError:  # not there (or a name too long to be): look at its parent, unless a broken link
            if os.path.lexists(place):
                return place
    return None
