"""CSV receivables exports: delimiter and encoding detected, read lazily in bounded memory.

- Encoding: a byte-order mark names it (UTF-8, UTF-16); otherwise UTF-8 or Windows-1250, decided
  on the first chunk holding a non-ASCII byte (`values.Utf8OrCp1250Decoder`). The stream is
  decoded chunk by chunk; the file is never read whole.
- Delimiter: `;`, `,` or tab. An Excel hint line `sep=;` names it; otherwise the header line
  decides: of the candidates it contains, the one that splits it into the most recognised column
  names wins; on a tie, csv.Sniffer's guess on the first lines, then the most frequent. (Sniffer
  alone prefers `,` and is misled by decimal commas in `;`-separated files.)
- Bounds: a physical line longer than `context.max_field_bytes` characters is cut off unread
  and its row reported; `csv.field_size_limit` is set to the same bound so that a quoted field
  spanning many lines (an unclosed quote) cannot grow past it either. The limit is process-wide
  state of the csv module, set at the start of every parse.
- Line numbers are physical lines counting the header as 1; a row whose quoted value spans
  lines is reported at its first line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import BinaryIO

from imports.parsers.base import FileRejected, ParseContext, ParsedRow, RowError
from imports.parsers.columns import count_known_headers, resolve_columns
from imports.parsers.records import InvoiceAssembler
from imports.parsers.values import shorten, text_decoder_for

HEAD_BYTES = 64 * 1024  # read first, to refuse binary files and pick the decoder
CHUNK_BYTES = 64 * 1024
SAMPLE_LINES = 50  # lines shown to csv.Sniffer ...
SAMPLE_CHARS = 16 * 1024  # ... and at most this much of them
DELIMITERS = ";,\t"

_NEWLINE = re.compile(r"\r\n|\r|\n")
_EXCEL_HINT = re.compile(r"sep=([;,\t])", re.IGNORECASE)


def parse(stream: BinaryIO, *, context: ParseContext) -> Iterator[ParsedRow]:
    """Yield one ParsedRow per data row (invoice with inline payer, or the row's errors)."""
    head = stream.read(HEAD_BYTES)
    _refuse_non_text(head)
    chunks = chain([head], iter(lambda: stream.read(CHUNK_BYTES), b""))
    lines = PhysicalLines(chunks, head, limit=context.max_field_bytes)
    try:
        yield from _rows(lines, context=context)
    except UnicodeDecodeError as error:
        raise FileRejected(
            "the file is neither UTF-8 nor Windows-1250 text: byte"
            f" 0x{error.object[error.start]:02x} after line {lines.number} does not fit the"
            " encoding of the lines before; export the file again as UTF-8 CSV"
        ) from error


def _rows(lines: PhysicalLines, *, context: ParseContext) -> Iterator[ParsedRow]:
    limit = context.max_field_bytes
    line_iter = iter(lines)
    sample = _sample(line_iter)
    filled = [(number, line) for number, line in enumerate(sample, start=1) if line.strip()]
    hint = _EXCEL_HINT.fullmatch(filled[0][1].strip()) if filled else None
    if hint:  # Excel's "sep=;" line names the delimiter; the header follows it
        sample[filled[0][0] - 1] = "\n"  # read as an empty line, so line numbers stay
        filled = filled[1:]
    if not filled and lines.cut:
        raise FileRejected(f"line {lines.cut[0]} is longer than the limit of {limit} bytes")
    if not filled:
        raise FileRejected("the file is empty: no header line with column names")
    delimiter = hint.group(1) if hint else choose_delimiter(filled[0][1], sample, context)
    csv.field_size_limit(limit)
    reader = csv.reader(chain(sample, line_iter), delimiter=delimiter)
    assembler: InvoiceAssembler | None = None
    width = 0
    seen = 0  # reader.line_num after the previous row: the next row starts on seen + 1
    while True:
        try:
            cells = next(reader)
            problem = ""
        except StopIteration:
            return
        except csv.Error as error:
            cells, problem = [], _csv_problem(error, limit)
        first, seen = seen + 1, reader.line_num
        if lines.cut_lines_until(seen):
            problem = f"the line is longer than the limit of {limit} bytes; not read"
        elif cells and max(map(len, cells)) > limit // 4:
            if any(len(cell.encode()) > limit for cell in cells):
                problem = f"a value is longer than the limit of {limit} bytes"
        if problem and assembler is None:
            raise FileRejected(f"line {first}, the header: {problem}")
        if problem:
            yield ParsedRow(line=first, record=None, errors=[RowError(first, "", problem)])
            continue
        if not any(cell.strip() for cell in cells):
            continue  # an empty line, or only delimiters
        if assembler is None:
            columns = resolve_columns(cells, context.column_mapping)
            assembler = InvoiceAssembler(labels=columns.labels, context=context)
            width = len(cells)
            continue
        if len(cells) > width and any(cell.strip() for cell in cells[width:]):
            message = (
                f"the row has {len(cells)} values but the header {width} columns;"
                f" is a {_name(delimiter)} inside a value without quotes?"
            )
            error = RowError(first, "", message, shorten(delimiter.join(cells)))
            yield ParsedRow(line=first, record=None, errors=[error])
            continue
        yield assembler.read(columns.values(cells), line=first)


def _sample(line_iter: Iterator[str]) -> list[str]:
    """The first lines (at most SAMPLE_CHARS of them, and one more), put back before reading."""
    sample: list[str] = []
    size = 0
    for line in line_iter:
        sample.append(line)
        size += len(line)
        if size >= SAMPLE_CHARS or len(sample) >= SAMPLE_LINES:
            break
    return sample


def choose_delimiter(header_line: str, sample: list[str], context: ParseContext) -> str:
    """The delimiter that splits the header into the most known column names (module docstring)."""
    present = [delimiter for delimiter in DELIMITERS if delimiter in header_line]
    if len(present) <= 1:
        return present[0] if present else ";"
    try:
        text = "".join(sample)[:SAMPLE_CHARS]
        sniffed = csv.Sniffer().sniff(text, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = ""

    def score(delimiter: str) -> tuple[int, bool, int]:
        headers = next(csv.reader([header_line], delimiter=delimiter))
        known = count_known_headers(headers, context.column_mapping)
        return known, delimiter == sniffed, len(headers)

    return max(present, key=score)


class PhysicalLines:
    """The decoded lines of a byte stream, endings kept (what csv.reader expects, newline="").

    Exactly one string per physical line, so csv.reader's line_num counts physical lines. A line
    longer than `limit` characters is yielded as "" (its text dropped while reading, never held)
    and its number kept in `cut`, for the parser to report.
    """

    def __init__(self, chunks: Iterable[bytes], head: bytes, *, limit: int) -> None:
        self._chunks = chunks
        self._decoder = text_decoder_for(head)
        self.limit = limit
        self.number = 0
        self.cut: list[int] = []

    def cut_lines_until(self, line: int) -> list[int]:
        """Numbers of the cut lines up to `line`, forgotten once reported."""
        done = [number for number in self.cut if number <= line]
        if done:
            self.cut = [number for number in self.cut if number > line]
        return done

    def __iter__(self) -> Iterator[str]:
        pending, skipping = "", False
        for text in self._texts():
            buffer = pending + text
            start = 0
            for match in _NEWLINE.finditer(buffer):
                if match.end() == len(buffer) and match.group() == "\r":
                    break  # a "\r\n" may be split between two chunks: wait for the next one
                self.number += 1
                if skipping or match.end() - start > self.limit:
                    skipping = False
                    self.cut.append(self.number)
                    yield ""
                else:
                    yield buffer[start : match.end()]
                start = match.end()
            pending = buffer[start:]
            if skipping or len(pending) > self.limit:
                skipping, pending = True, ""
        if pending or skipping:
            self.number += 1
            if skipping:
                self.cut.append(self.number)
            yield pending

    def _texts(self) -> Iterator[str]:
        for chunk in self._chunks:
            yield self._decoder.decode(chunk)
        yield self._decoder.decode(b"", final=True)


def _refuse_non_text(head: bytes) -> None:
    if not head.strip():
        raise FileRejected("the file is empty: no header line with column names")
    if head.startswith(b"PK\x03\x04"):
        raise FileRejected("this is a ZIP file (an XLSX workbook?), not CSV text")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected("this is an old Excel .xls workbook; save it as .xlsx or CSV")
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRejected("this is a binary file, not CSV text")


def _csv_problem(error: csv.Error, limit: int) -> str:
    if "field limit" in str(error):
        return f"a value is longer than the limit of {limit} bytes (an unclosed quote?)"
    return f"unreadable CSV row: {error}"


def _name(delimiter: str) -> str:
    return {";": "semicolon", ",": "comma", "\t": "tab"}[delimiter]
