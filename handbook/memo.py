"""A dictionary of derived data kept in a file between builds (content-addressed: keys are digests of
everything the value depends on). The file keeps only the entries the last build used, so it never
grows beyond one book; one that cannot be read or written only costs time."""
from __future__ import annotations

import marshal
import pickle
from pathlib import Path

from .atomic import write_atomically

FORMATS = {"marshal": (marshal.loads, marshal.dumps), "pickle": (pickle.loads, pickle.dumps)}


class FileMemo:
    def __init__(self, path: Path | None, form: str = "marshal"):
        self.path = path
        self.loads, self.dumps = FORMATS[form]
        self.known = self._load()
        self.used: dict = {}

    def _load(self) -> dict:
        try:
            data = self.loads(self.path.read_bytes()) if self.path else {}
        except Exception:  # noqa: BLE001 -- a damaged or foreign file is an empty memo
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, key):
        """The value remembered for ``key`` (now counted as used), or None."""
        value = self.used.get(key)
        if value is None:
            value = self.known.get(key)
            if value is not None:
                self.used[key] = value
        return value

    def put(self, key, value) -> None:
        self.used[key] = value

    def forget(self, key) -> None:
        """Drop an entry that turned out to be unusable."""
        self.used.pop(key, None)
        self.known.pop(key, None)

    def save(self) -> None:
        """Write the entries this build used, atomically; nothing to do if they are what the file holds."""
        if self.path is None or self.used.keys() == self.known.keys():
            return
        try:
            write_atomically(self.path, self.dumps(self.used))
        except OSError:
            pass
