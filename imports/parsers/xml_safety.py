"""Reading XML and ZIP files from strangers without being hurt by them.

Uploaded KSeF invoices and camt.053 statements come from outside, so every XML goes through
`iterparse_safely`: defusedxml's parser with DTDs, entity declarations and external references
forbidden (XXE, billion laughs), the nesting depth bounded (a 10,000-level document is refused at
level 101, long before anything recursive could run) and the bytes read bounded. ZIP archives are
checked as a whole from their central directory before any member is read (member count, names,
declared sizes and ratios), so a zip bomb or a zip-slip name is refused without inflating anything.
"""

from __future__ import annotations

import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO, Protocol
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from imports.parsers.base import FileRejected

MAX_XML_BYTES = 50 * 1024 * 1024
MAX_XML_DEPTH = 100
MAX_ZIP_MEMBERS = 1000
MAX_ZIP_TOTAL_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100
_CHUNK = 64 * 1024
_FORBIDDEN = {
    "DTDForbidden": "a document type declaration (<!DOCTYPE …>)",
    "EntitiesForbidden": "an entity declaration",
    "ExternalReferenceForbidden": "a reference to an external resource",
}
_MB = 1024 * 1024
# Deflate is inflated in bounded steps; bzip2/LZMA chunks are not, so a member lying about its size
# could blow up memory: only these two methods are accepted (every KSeF tool uses deflate).
_ACCEPTED_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
# What zipfile raises for a damaged archive or member, an unsupported method or a lacking password.
_DAMAGED = (
    zipfile.BadZipFile,
    OSError,
    EOFError,
    ValueError,
    zlib.error,
    NotImplementedError,
    RuntimeError,
)


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class UnsafeXml(FileRejected):
    """The file is hostile or oversized: refused as a whole, even when it is one member of a ZIP."""


@dataclass(frozen=True)
class XmlEvent:
    event: str  # "start" or "end"
    element: Element
    line: int  # line of the element's start tag in the source


def local_name(tag: str) -> str:
    """'{urn:…}Ntry' -> 'Ntry': formats change namespace between versions, names stay."""
    return tag.rpartition("}")[2]


def namespace(tag: str) -> str:
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


class _CappedReader:
    """A read-only view of a stream that refuses to deliver more than `limit` bytes."""

    def __init__(self, stream: Readable, *, limit: int, what: str) -> None:
        self._stream = stream
        self._left = limit
        self._limit = limit
        self._what = what

    def read(self, size: int = -1) -> bytes:
        wanted = self._left + 1 if size is None or size < 0 else min(size, self._left + 1)
        data = self._stream.read(wanted)
        self._left -= len(data)
        if self._left < 0:
            raise UnsafeXml(f"{self._what} is larger than {self._limit // _MB} MB; refused.")
        return data


class _RecordingTarget:
    """Builds the tree like TreeBuilder and notes start/end events, their line and the depth."""

    def __init__(self, *, max_depth: int) -> None:
        self._builder = TreeBuilder()
        self._max_depth = max_depth
        self._start_lines: list[int] = []
        self.events: list[XmlEvent] = []
        self.current_line = lambda: 0

    def start(self, tag: str, attrib: dict[str, str]) -> Element:
        if len(self._start_lines) >= self._max_depth:
            raise UnsafeXml(
                f"The XML nests elements more than {self._max_depth} levels deep "
                f"(line {self.current_line()}); refused."
            )
        element = self._builder.start(tag, attrib)
        self._start_lines.append(self.current_line())
        self.events.append(XmlEvent("start", element, self._start_lines[-1]))
        return element

    def end(self, tag: str) -> Element:
        element = self._builder.end(tag)
        self.events.append(XmlEvent("end", element, self._start_lines.pop()))
        return element

    def data(self, data: str) -> None:
        self._builder.data(data)

    def close(self) -> Element:
        return self._builder.close()


def iterparse_safely(
    stream: Readable,
    *,
    max_bytes: int = MAX_XML_BYTES,
    max_depth: int = MAX_XML_DEPTH,
    what: str = "The XML file",
) -> Iterator[XmlEvent]:
    """Start and end events of a hostile-proof parse, read in chunks (bounded memory if the caller
    clears what it has used). Raises UnsafeXml for DTDs, entities, depth and size; FileRejected for
    malformed or truncated XML, with the line and column expat stopped at."""
    target = _RecordingTarget(max_depth=max_depth)
    parser = DefusedXMLParser(
        target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    target.current_line = lambda: parser.parser.CurrentLineNumber
    reader = _CappedReader(stream, limit=max_bytes, what=what)
    try:
        while chunk := reader.read(_CHUNK):
            parser.feed(chunk)
            yield from _drain(target)
        parser.close()
        yield from _drain(target)
    except DefusedXmlException as error:
        found = _FORBIDDEN.get(type(error).__name__, "a DTD or entities")
        raise UnsafeXml(
            f"{what} contains {found}; such XML can read server files or expand without bound, "
            "so it is refused."
        ) from error
    except LookupError as error:  # an <?xml encoding="…"?> Python has no codec for
        raise FileRejected(f"{what} declares an unknown encoding: {error}.") from error
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        reason = str(error).split(":")[0]
        raise FileRejected(
            f"{what} is not well-formed (it may be truncated): {reason} at line {line}, "
            f"column {column}."
        ) from error


def _drain(target: _RecordingTarget) -> Iterator[XmlEvent]:
    events, target.events = target.events, []
    yield from events


def parse_safely(
    stream: Readable,
    *,
    discard: frozenset[str] = frozenset(),
    max_bytes: int = MAX_XML_BYTES,
    what: str = "The XML file",
) -> Element:
    """The whole document as a tree; elements whose local name is in `discard` are emptied as soon
    as they end (invoice lines, say), so a large document does not stay large in memory."""
    root: Element | None = None
    for item in iterparse_safely(stream, max_bytes=max_bytes, what=what):
        if root is None:
            root = item.element
        if item.event == "end" and local_name(item.element.tag) in discard:
            item.element.clear()
    if root is None:  # pragma: no cover - expat refuses an empty document first
        raise FileRejected(f"{what} is empty.")
    return root


# --- Streams and ZIP archives ---------------------------------------------------------------


def seekable(stream: BinaryIO, *, max_bytes: int) -> BinaryIO:
    """The stream itself when it can seek (Django uploads can), else a bounded spooled copy."""
    if getattr(stream, "seekable", lambda: False)():
        return stream
    copy = tempfile.SpooledTemporaryFile(max_size=8 * _MB)
    reader = _CappedReader(stream, limit=max_bytes, what="The file")
    while chunk := reader.read(_CHUNK):
        copy.write(chunk)
    copy.seek(0)
    return copy  # type: ignore[return-value]


def is_zip(stream: BinaryIO) -> bool:
    """Peek at the signature of a seekable stream and rewind."""
    position = stream.tell()
    signature = stream.read(4)
    stream.seek(position)
    return signature in (b"PK\x03\x04", b"PK\x05\x06")


@dataclass(frozen=True)
class ZipMember:
    index: int  # 1-based position among the archive's files: the "line" of its row errors
    name: str
    stream: Readable


def iter_zip_members(
    stream: BinaryIO,
    *,
    max_members: int = MAX_ZIP_MEMBERS,
    max_total_bytes: int = MAX_ZIP_TOTAL_BYTES,
    max_ratio: int = MAX_ZIP_RATIO,
    max_member_bytes: int = MAX_XML_BYTES,
) -> Iterator[ZipMember]:
    """The files of a ZIP, each as a stream inflated on demand, after the whole archive passed the
    checks.

    zipfile never inflates a member past its declared size (deflate in bounded steps), so checking
    declared sizes and ratios up front refuses a bomb before a single byte is decompressed.
    """
    stream = seekable(stream, max_bytes=max_total_bytes)
    try:
        archive = zipfile.ZipFile(stream)
    except _DAMAGED as error:
        raise FileRejected(f"The file is not a readable ZIP archive: {error}.") from error
    with archive:
        files = [info for info in archive.infolist() if not info.is_dir()]
        _check_archive(
            files,
            max_members=max_members,
            max_total_bytes=max_total_bytes,
            max_ratio=max_ratio,
            max_member_bytes=max_member_bytes,
        )
        for index, info in enumerate(files, start=1):
            guarded = _GuardedMember(archive, info)
            try:
                yield ZipMember(index=index, name=info.filename, stream=guarded)
            finally:
                guarded.close()


class _GuardedMember:
    """A member opened and inflated on first read; damage surfaces as FileRejected naming it, so
    the caller can report that member and go on with the others."""

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        self._archive = archive
        self._info = info
        self._member: BinaryIO | None = None

    def read(self, size: int = -1) -> bytes:
        try:
            if self._member is None:
                self._member = self._archive.open(self._info)  # type: ignore[assignment]
            return self._member.read(size)
        except _DAMAGED as error:
            raise FileRejected(
                f"The ZIP member {self._info.filename} cannot be read (damaged archive): {error}."
            ) from error

    def close(self) -> None:
        if self._member is not None:
            self._member.close()


def _check_archive(
    files: list[zipfile.ZipInfo],
    *,
    max_members: int,
    max_total_bytes: int,
    max_ratio: int,
    max_member_bytes: int,
) -> None:
    if len(files) > max_members:
        raise FileRejected(
            f"The ZIP holds {len(files)} files; at most {max_members} are accepted in one upload."
        )
    total = 0
    for info in files:
        name = info.filename
        path = PurePosixPath(name.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or (len(name) > 1 and name[1] == ":"):
            raise FileRejected(
                f"The ZIP member name {name!r} points outside the archive (zip slip); refused."
            )
        if info.compress_type not in _ACCEPTED_METHODS:
            raise FileRejected(
                f"The ZIP member {name} uses compression method {info.compress_type}; only "
                "stored or deflated members are accepted."
            )
        if info.flag_bits & 0x1:
            raise FileRejected(f"The ZIP member {name} is encrypted; upload it unencrypted.")
        if info.file_size > max_member_bytes:
            raise FileRejected(
                f"The ZIP member {name} unpacks to {info.file_size} bytes; at most "
                f"{max_member_bytes // _MB} MB per file is accepted."
            )
        if info.file_size and info.file_size > max_ratio * max(info.compress_size, 1):
            raise FileRejected(
                f"The ZIP member {name} is compressed more than {max_ratio}:1 "
                f"({info.compress_size} -> {info.file_size} bytes), as zip bombs are; refused."
            )
        total += info.file_size
        if total > max_total_bytes:
            raise FileRejected(
                f"The ZIP unpacks to more than {max_total_bytes // _MB} MB in total; refused."
            )
