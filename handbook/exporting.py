"""What the exporters that work on finished PDFs with pypdf (booklet.py, worksheet/forms.py) share: pypdf
writing its streams as PDF/A wants them.

pypdf ends a stream's data with ``endstream`` right after it; PDF/A (ISO 19005-2, 6.1.7.1) wants an end of
line there (:func:`archival.end_of_data` says which). Importing this module installs the writer once, for
the whole process, before either exporter writes anything.
"""
from __future__ import annotations

from pypdf.generic import DictionaryObject, NameObject, NumberObject, StreamObject

from .archival import end_of_data


def _write_stream(self, stream) -> None:
    """pypdf's StreamObject.write_to_stream with PDF/A's end of line before ``endstream`` (archival.py)."""
    self[NameObject("/Length")] = NumberObject(len(self._data))
    DictionaryObject.write_to_stream(self, stream)
    del self["/Length"]
    stream.write(b"\nstream\n")
    stream.write(self._data)
    stream.write(end_of_data(self._data) + b"endstream")


if getattr(StreamObject.write_to_stream, "__name__", "") != "_write_stream":
    StreamObject.write_to_stream = _write_stream
