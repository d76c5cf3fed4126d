"""XLSX workbooks: the ZIP is inspected before openpyxl opens it, then rows are streamed.

An XLSX file is a ZIP of XML. A hostile one can declare gigabytes that decompress from a few
kilobytes (a zip bomb), or carry member names meant to escape a folder when extracted (zip slip).
`inspect_zip` reads only the ZIP's directory and refuses such files before any XML is parsed;
openpyxl then reads members through zipfile, which never yields more than a member's declared
size, so the declared sizes checked here bound the work. openpyxl parses XML through defusedxml
(a project dependency), which refuses entity expansion.

The sheet read is the first one named like the receivables list ("Należności", "Faktury",
"Rozrachunki"), else the first sheet; its header row is the first of its first ten non-empty rows
that names the required columns (`columns.resolve_columns`, as for CSV), so a title above the
table does no harm. Line numbers are the sheet's row numbers.
"""

from __future__ import annotations

import re
import struct
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any, BinaryIO

from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from imports.parsers.base import FileRejected, ParseContext, ParsedRow
from imports.parsers.columns import (
    ColumnMap,
    count_known_headers,
    normalize_header,
    resolve_columns,
)
from imports.parsers.records import InvoiceAssembler
from imports.parsers.values import cell_text, is_blank

MAX_MEMBERS = 1000
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024  # a smaller member cannot be a bomb; tiny XML compresses >100x
MAX_FILE_BYTES = 200 * 1024 * 1024  # a non-seekable upload is spooled to disk up to this size
SHEET_NAMES = ("naleznosci", "faktury", "rozrachunki")
DATE_FIELDS = ("issue_date", "due_date", "paid_on")
HEADER_ROWS = 10  # non-empty rows searched for the header

_DRIVE = re.compile(r"[A-Za-z]:")


def parse(stream: BinaryIO, *, context: ParseContext) -> Iterator[ParsedRow]:
    """Yield one ParsedRow per data row of the receivables sheet."""
    source = _seekable(stream)
    inspect_zip(source)
    source.seek(0)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken workbook
        raise FileRejected(f"not a readable XLSX workbook: {error}") from error
    try:
        yield from _rows(workbook, context=context)
    finally:
        workbook.close()


def inspect_zip(source: IO[bytes]) -> None:
    """Refuse a ZIP that is a bomb, tries zip slip, or is not an XLSX workbook.

    Reads only the ZIP's directory (from the start of `source`), never a member's content.
    """
    _refuse_many_members(source)
    try:
        members = zipfile.ZipFile(source).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise FileRejected(f"not an XLSX workbook (not a valid ZIP file: {error})") from error
    if len(members) > MAX_MEMBERS:
        raise FileRejected(f"the ZIP has {len(members)} members; an XLSX has far fewer")
    total = 0
    for member in members:
        parts = re.split(r"[/\\]", member.filename)
        if member.filename.startswith(("/", "\\")) or _DRIVE.match(member.filename):
            raise FileRejected(f"refused: the ZIP member {member.filename!r} has an absolute path")
        if ".." in parts:
            raise FileRejected(f"refused: the ZIP member {member.filename!r} points outside")
        size = member.file_size
        if size > RATIO_CHECKED_FROM and size > MAX_RATIO * max(member.compress_size, 1):
            raise FileRejected(
                f"refused: the ZIP member {member.filename!r} expands {size} bytes from"
                f" {member.compress_size} (more than {MAX_RATIO} times: a zip bomb?)"
            )
        total += size
    if total > MAX_UNCOMPRESSED_BYTES:
        raise FileRejected(
            f"refused: the workbook expands to {total} bytes"
            f" (at most {MAX_UNCOMPRESSED_BYTES} are read)"
        )
    if not any(member.filename.startswith("xl/") for member in members):
        raise FileRejected("a ZIP file, but not an XLSX workbook (no xl/ folder inside)")


def _refuse_many_members(source: IO[bytes]) -> None:
    """Count the members from the end-of-directory record, before zipfile lists them all."""
    source.seek(0, 2)
    size = source.tell()
    tail_size = min(size, 22 + 65535)  # the record and the longest ZIP comment
    source.seek(size - tail_size)
    tail = source.read(tail_size)
    source.seek(0)
    found = tail.rfind(b"PK\x05\x06")
    if found < 0 or found + 22 > len(tail):
        return  # not a ZIP: zipfile will say so
    (entries,) = struct.unpack("<H", tail[found + 10 : found + 12])
    if entries > MAX_MEMBERS:
        raise FileRejected(f"the ZIP has {entries} members; an XLSX has far fewer")


def _rows(workbook: Any, *, context: ParseContext) -> Iterator[ParsedRow]:
    sheet = _receivables_sheet(workbook)
    sheet.reset_dimensions()  # some writers store a wrong used range: read every row instead
    rows = sheet.iter_rows(values_only=True)
    header = _HeaderSearch(context.column_mapping)
    columns: ColumnMap | None = None
    assembler = InvoiceAssembler(labels={}, context=context)
    number = 0
    while True:
        try:
            cells = next(rows)
        except StopIteration:
            break
        except Exception as error:  # broken XML inside the workbook
            raise FileRejected(f"row {number + 1}: the sheet cannot be read: {error}") from error
        number += 1
        if all(is_blank(cell) for cell in cells):
            continue
        if columns is None:
            columns = header.offer(cells)
            if columns is not None:
                assembler = InvoiceAssembler(labels=columns.labels, context=context)
            continue
        values = columns.values(cells)
        for field in DATE_FIELDS:
            values[field] = _excel_date(values.get(field), workbook)
        yield assembler.read(values, line=number)
    if columns is None:
        raise header.refusal()


class _HeaderSearch:
    """The header is the first row naming the required columns among the first HEADER_ROWS.

    Workbooks often carry a title above the table ("Zestawienie należności na dzień …"). When no
    row qualifies, the refusal shows the row that came closest (the most known column names).
    """

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self._mapping = mapping
        self._tried = 0
        self._closest: tuple[int, FileRejected] | None = None

    def offer(self, cells: Sequence[object]) -> ColumnMap | None:
        try:
            return resolve_columns(cells, self._mapping)
        except FileRejected as refusal:
            headers = [cell_text(cell) for cell in cells]
            known = count_known_headers(headers, self._mapping)
            if self._closest is None or known > self._closest[0]:
                self._closest = (known, refusal)
            self._tried += 1
            if self._tried >= HEADER_ROWS:
                raise self.refusal() from None
            return None

    def refusal(self) -> FileRejected:
        if self._closest is None:
            return FileRejected("the sheet is empty: no header row with column names")
        return self._closest[1]


def _receivables_sheet(workbook: Any) -> Any:
    sheets = workbook.worksheets
    if not sheets:
        raise FileRejected("the workbook has no worksheet")
    for sheet in sheets:
        if normalize_header(sheet.title) in SHEET_NAMES:
            return sheet
    return sheets[0]


def _excel_date(value: object, workbook: Any) -> object:
    """A date typed as a plain number (a cell without date format) is an Excel serial day."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        try:
            return from_excel(value, workbook.epoch)
        except (ValueError, OverflowError):
            return value
    return value


def _seekable(stream: BinaryIO) -> IO[bytes]:
    """zipfile needs to seek; an upload that cannot is spooled to a temporary file first."""
    seekable = getattr(stream, "seekable", None)
    if seekable is not None and seekable():
        return stream
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    copied = 0
    while chunk := stream.read(1024 * 1024):
        copied += len(chunk)
        if copied > MAX_FILE_BYTES:
            raise FileRejected(f"the file is larger than {MAX_FILE_BYTES} bytes")
        spool.write(chunk)
    spool.seek(0)
    return spool
