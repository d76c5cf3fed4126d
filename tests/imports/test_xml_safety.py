"""Hostile XML and ZIP files are refused quickly, with a reason, and nothing of them leaks out."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from imports.parsers.base import FileRejected
from imports.parsers.xml_safety import (
    UnsafeXml,
    iter_zip_members,
    iterparse_safely,
    parse_safely,
)

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Faktura [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Faktura>&secret;</Faktura>"""

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (level, b"&lol%d;" % (level - 1) * 10 if level > 1 else b"&lol;")
        for level in range(1, 10)
    )
    + b"]><lolz>&lol9;</lolz>"
)


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    buffer.seek(0)
    return buffer


def test_external_entity_is_refused_and_the_file_never_read():
    with pytest.raises(UnsafeXml) as refused:
        parse_safely(io.BytesIO(XXE))

    assert "document type declaration" in str(refused.value)
    assert "root:" not in str(refused.value)


def test_billion_laughs_is_refused_before_any_expansion():
    started = time.perf_counter()
    with pytest.raises(UnsafeXml):
        parse_safely(io.BytesIO(BILLION_LAUGHS))

    assert time.perf_counter() - started < 1


def test_ten_thousand_levels_deep_is_refused_at_level_101_without_recursion_error():
    deep = b"<a>" * 10_000 + b"</a>" * 10_000

    started = time.perf_counter()
    with pytest.raises(UnsafeXml, match="more than 100 levels deep"):
        parse_safely(io.BytesIO(deep))
    assert time.perf_counter() - started < 1


def test_a_hundred_levels_are_still_fine():
    root = parse_safely(io.BytesIO(b"<a>" * 100 + b"</a>" * 100))

    assert root.tag == "a"


def test_oversized_document_is_refused_while_reading():
    big = b"<a>" + b"x" * 10_000 + b"</a>"

    with pytest.raises(UnsafeXml, match="larger than"):
        parse_safely(io.BytesIO(big), max_bytes=1024)


def test_truncated_xml_names_the_line_and_column():
    with pytest.raises(FileRejected, match=r"not well-formed .*truncated.* line 2, column"):
        parse_safely(io.BytesIO(b"<Faktura>\n<Fa><P_2>FV/1/2026</P_2>"))


def test_events_carry_the_line_of_the_start_tag():
    events = list(iterparse_safely(io.BytesIO(b"<a>\n<b>\n1\n</b>\n</a>")))

    assert [(e.event, e.element.tag, e.line) for e in events] == [
        ("start", "a", 1),
        ("start", "b", 2),
        ("end", "b", 2),
        ("end", "a", 1),
    ]


def test_parse_safely_empties_discarded_elements():
    root = parse_safely(
        io.BytesIO(b"<a><FaWiersz><P_7>x</P_7></FaWiersz><P_2>1</P_2></a>"),
        discard=frozenset({"FaWiersz"}),
    )

    assert len(root.find("FaWiersz")) == 0
    assert root.findtext("P_2") == "1"


def test_zip_members_are_read_in_order_with_their_position():
    archive = zip_bytes({"one.xml": b"<a/>", "folder/two.xml": b"<b/>"})

    members = [(m.index, m.name, m.stream.read()) for m in iter_zip_members(archive)]

    assert members == [(1, "one.xml", b"<a/>"), (2, "folder/two.xml", b"<b/>")]


def test_zip_bomb_is_refused_by_its_ratio_before_inflating():
    bomb = zip_bytes({"invoice.xml": b"\0" * (10 * 1024 * 1024)})

    started = time.perf_counter()
    with pytest.raises(FileRejected, match="compressed more than 100:1"):
        list(iter_zip_members(bomb))
    assert time.perf_counter() - started < 1


def test_zip_unpacking_to_too_much_in_total_is_refused():
    archive = zip_bytes({f"{n}.xml": bytes(range(256)) * 8 for n in range(5)}, zipfile.ZIP_STORED)

    with pytest.raises(FileRejected, match="in total"):
        list(iter_zip_members(archive, max_total_bytes=8 * 1024))


@pytest.mark.parametrize("name", ["../evil.xml", "a/../../evil.xml", "/etc/evil.xml", "C:\\x.xml"])
def test_zip_slip_names_are_refused(name):
    with pytest.raises(FileRejected, match="zip slip"):
        list(iter_zip_members(zip_bytes({"ok.xml": b"<a/>", name: b"<a/>"})))


def test_zip_with_too_many_members_is_refused():
    archive = zip_bytes({f"{n}.xml": b"" for n in range(1001)}, zipfile.ZIP_STORED)

    with pytest.raises(FileRejected, match="1001 files; at most 1000"):
        list(iter_zip_members(archive))


def test_not_a_zip_is_refused_with_a_reason():
    with pytest.raises(FileRejected, match="not a readable ZIP"):
        list(iter_zip_members(io.BytesIO(b"PK\x03\x04 broken")))


def test_member_unpacking_beyond_the_per_file_limit_is_refused():
    archive = zip_bytes({"big.xml": bytes(range(256)) * 8}, zipfile.ZIP_STORED)

    with pytest.raises(FileRejected, match="big.xml unpacks to 2048 bytes"):
        list(iter_zip_members(archive, max_member_bytes=1024))


def test_damaged_member_is_reported_by_name_when_read():
    archive = zip_bytes({"a.xml": b"<a>" + b"x" * 500 + b"</a>", "b.xml": b"<b/>"})
    data = bytearray(archive.getvalue())
    data[30 + len("a.xml") + 5] ^= 0xFF  # inside a.xml's compressed bytes

    members = iter_zip_members(io.BytesIO(bytes(data)))
    first = next(members)
    with pytest.raises(FileRejected, match="a.xml cannot be read"):
        first.stream.read()
    assert next(members).stream.read() == b"<b/>"


def test_members_compressed_other_than_deflate_are_refused():
    archive = zip_bytes({"a.xml": b"<a/>"}, zipfile.ZIP_BZIP2)

    with pytest.raises(FileRejected, match="only stored or deflated"):
        list(iter_zip_members(archive))
