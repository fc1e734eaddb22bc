"""The fill-in worksheet: ``content/<variant>/worksheet.md`` -> ``output/<variant>/worksheet.pdf``.

Stages, one module each: :mod:`syntax` reads the Markdown conventions into :mod:`handbook.sheet` data
(with :mod:`read` finding the file and its UI strings, and :mod:`drift` comparing its fields between editions);
:mod:`handbook.typeset.worksheet` draws A4 pages with ReportLab and records where every blank is; :mod:`forms` adds the AcroForm
fields there with pypdf, and writes filled copies; :mod:`fill` reads and checks data to pre-fill;
:mod:`charsets` says what a reader can type; :mod:`make` puts it together for an edition.
"""
from __future__ import annotations

from .make import outputs
from .read import read_sheet

__all__ = ["read_sheet", "outputs"]
