"""Builders for hostile .xlsx files: a real openpyxl workbook whose zip members are replaced, renamed, added or
duplicated, written member by member so the zip says exactly what the test wants it to say."""

import io
import struct
import warnings
import zipfile

from openpyxl import Workbook

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKSHEET = REL + b"/worksheet"
HEADERS = ["出厂编号", "器具名称", "型号", "用途", "备注"]


def workbook(rows=(), headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def members(data: bytes) -> list[tuple[str, bytes]]:
    source = zipfile.ZipFile(io.BytesIO(data))
    return [(info.filename, source.read(info)) for info in source.infolist()]


def build(parts: list[tuple[str, bytes]], *, compresslevel: int = 9) -> bytes:
    """Write the members in this order; a name given twice is written twice."""
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names; here they are the point
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as target:
            for name, body in parts:
                target.writestr(name, body)
    return out.getvalue()


def edited(
    data: bytes, *, replace: dict | None = None, add: list | None = None, drop: tuple = (), rename: dict | None = None
) -> bytes:
    replace, rename = replace or {}, rename or {}
    parts = [(rename.get(name, name), replace.get(name, body)) for name, body in members(data) if name not in drop]
    return build(parts + list(add or []))


def sheet(rows_xml: bytes, *, head: bytes = b"", tail: bytes = b"", prefix: bytes = b"") -> bytes:
    p = prefix + b":" if prefix else b""
    xmlns = b'xmlns:%s="%s"' % (prefix, MAIN) if prefix else b'xmlns="%s"' % MAIN
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><%sworksheet %s>%s<%ssheetData>' % (p, xmlns, head, p)
        + rows_xml
        + b"</%ssheetData>%s</%sworksheet>" % (p, tail, p)
    )


def header_row(headers=HEADERS) -> bytes:
    cells = b"".join(
        b'<c r="%s1" t="inlineStr"><is><t>%s</t></is></c>' % (bytes([65 + i]), h.encode())
        for i, h in enumerate(headers)
    )
    return b'<row r="1">' + cells + b"</row>"


def data_rows(count: int, *, first: int = 2) -> bytes:
    return b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>SN%d</t></is></c></row>' % (n, n, n)
        for n in range(first, first + count)
    )


def with_first_sheet_at(data: bytes, target: bytes, sheet_xml: bytes, *, member: str | None = None) -> bytes:
    """The decoy: xl/worksheets/sheet1.xml stays harmless, the workbook's first sheet is `target`."""
    rels = part(data, "xl/_rels/workbook.xml.rels")
    rels = rels.replace(b'Target="/xl/worksheets/sheet1.xml"', b'Target="' + target + b'"')
    rels = rels.replace(b'Target="worksheets/sheet1.xml"', b'Target="' + target + b'"')
    return edited(
        data, replace={"xl/_rels/workbook.xml.rels": rels}, add=[(member or "xl/worksheets/data.xml", sheet_xml)]
    )


def part(data: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(name)


def flag_encrypted(data: bytes) -> bytes:
    """Set the 'encrypted' bit of every member in the local headers and the central directory."""
    blob = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := blob.find(signature, start)) != -1:
            flags = struct.unpack_from("<H", blob, start + offset)[0]
            struct.pack_into("<H", blob, start + offset, flags | 1)
            start += 4
    return bytes(blob)
