"""Which parser reads a file, told from its first bytes (the name only breaks a tie).

Content decides because clients rename files freely ("wyciag.txt" holding MT940, "export.csv"
saved as XLSX). The markers:
- ZIP (`PK\\x03\\x04`): an XLSX workbook when it has `[Content_Types].xml` or an `xl/` member in
  the head (or the name ends in .xlsx), else a ZIP of KSeF XML invoices;
- XML: `camt.053` namespace or `BkToCstmrStmt` -> camt053; a `Faktura` root or a crd.gov.pl
  namespace -> ksef; any other XML is refused;
- MT940: a `{1:` SWIFT block header, or a `:20:` / `:25:` tag at the start of a line;
- JSON Lines: the first non-blank character is `{`;
- anything else is CSV (the CSV parser refuses binary files with a specific message).
"""

from __future__ import annotations

import codecs
import re

from imports.parsers.base import FileRejected

FORMATS = ("csv", "xlsx", "jsonl", "ksef", "mt940", "camt053")
HEAD_BYTES = 64 * 1024  # how much of a file detect_format needs

_MT940_TAG = re.compile(rb"(?:^|[\r\n]):(?:20|25):")
_KSEF_ROOT = re.compile(rb"<(?:[\w.-]+:)?Faktura[\s>/]")
_EXTENSIONS = {
    ".xlsx": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".sta": "mt940",
    ".mt940": "mt940",
    ".940": "mt940",
}


def detect_format(filename: str, head: bytes) -> str:
    """One of FORMATS for a file named `filename` whose first bytes are `head`."""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        is_workbook = b"[Content_Types].xml" in head or b"xl/" in head
        return "xlsx" if is_workbook or filename.lower().endswith(".xlsx") else "ksef"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected("an old Excel .xls workbook (or an encrypted one): save it as .xlsx")
    text = _as_utf8(head).lstrip()
    if text.startswith(b"<"):
        return _xml_format(text)
    if text.startswith(b"{1:") or _MT940_TAG.search(text[:4096]):
        return "mt940"
    if text.startswith(b"{"):
        return "jsonl"
    if not text:
        return _by_extension(filename)
    return "csv"


def _xml_format(text: bytes) -> str:
    if b"camt.053" in text or b"BkToCstmrStmt" in text:
        return "camt053"
    if _KSEF_ROOT.search(text) or b"crd.gov.pl" in text:
        return "ksef"
    raise FileRejected("an XML file that is neither a KSeF invoice nor a camt.053 statement")


def _as_utf8(head: bytes) -> bytes:
    """The head without a byte-order mark; UTF-16 (rare, from Excel) re-encoded for the checks."""
    if head.startswith(codecs.BOM_UTF8):
        return head[len(codecs.BOM_UTF8) :]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
        return decoder.decode(head).encode("utf-8")
    return head


def _by_extension(filename: str) -> str:
    lowered = filename.lower()
    for extension, format_name in _EXTENSIONS.items():
        if lowered.endswith(extension):
            return format_name
    return "csv"
