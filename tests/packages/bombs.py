"""Small files that cost a careless reader a lot: the payloads of the spreadsheet probe and others
of the same classes, built in the test (nothing is shipped)."""
import struct
import zlib

MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
FIRM_HEADER = ("<row r=\"1\">" + "".join(f'<c r="{c}1" t="inlineStr"><is><t>{n}</t></is></c>'
                                        for c, n in zip("ABCD", ("ref", "name", "kind", "region"))) + "</row>")


_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml."


def content_types(shared):
    """Complete enough for openpyxl to open the workbook too (as the old reader's fallback did)."""
    return ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPE}worksheet+xml"/>'
            + (f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_TYPE}sharedStrings+xml"/>' if shared else "")
            + "</Types>")


def cell(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet(rows_xml, header=FIRM_HEADER):
    """A worksheet part: the firms header row, then `rows_xml`."""
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet {MAIN}><sheetData>{header}{rows_xml}</sheetData></worksheet>'


def workbook(path, sheet_xml, shared=None, title="firms", extra=None):
    """An .xlsx holding one sheet (and a shared-strings part when given). A part may be given
    as (head, block, times, tail): `block` repeated, compressed as a zip bomb is."""
    parts = {
        "[Content_Types].xml": content_types(shared is not None),
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook {MAIN} xmlns:r="{REL}"><sheets>'
        f'<sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        f'package/2006/relationships"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        + (f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>' if shared is not None
           else "") + "</Relationships>",
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    parts.update(extra or {})
    return zip_of(path, parts)


def zip_of(path, members, declare=None):
    """A .zip of `members` (name -> text, or (head, block, times, tail) for `block` repeated).

    Written by hand, as a zip bomb is made: each repetition of a block is compressed on its own
    (a deflate full flush between them), so a part of hundreds of MB costs the test a few
    hundred KB and no time. `declare` maps a member to the uncompressed size its headers claim
    (a lie, when it differs from the real one)."""
    local, central = bytearray(), bytearray()
    for name, content in members.items():
        data, crc, size = _deflated(content)
        declared = (declare or {}).get(name, size)
        assert size < 2 ** 32 and declared < 2 ** 32
        raw = name.encode()
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), declared,
                               len(raw), 0, 0, 0, 0, 0, len(local)) + raw
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), declared, len(raw), 0)
        local += raw + data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))
    return path


def _deflated(content):
    """(raw deflate data, CRC-32, size) of a member."""
    if not isinstance(content, tuple):
        content = (content, b"", 0, b"")
    head, block, times, tail = (x.encode() if isinstance(x, str) else x for x in (content + (b"",))[:4])
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = bytearray(compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH))
    crc = zlib.crc32(head)
    if times:
        piece = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)  # decodes on its own
        for _ in range(times):
            data += piece
            crc = zlib.crc32(block, crc)
    data += compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(tail, crc)
    return bytes(data), crc, len(head) + len(block) * times + len(tail)
