"""Hypothesis strategies for hostile inputs: mutated seeds and inputs built hostile from the start.

A :class:`Case` is one input and the path it takes into Docket (``route``): the real capture,
a source (folder drop, HTTP upload, mail), the master-data CSV loader, or an agent's decode of
a Kafka message (Avro value and headers). Sizes stay within a few hundred KB per case: the point
is malformed structure, not volume (volume is the size limits' job, tested on their own).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from functools import cache

from hypothesis import strategies as st

from tests.unit.fuzz import seeds

DOCUMENT_KINDS = ("pdf", "png", "jpeg", "tiff", "camt", "ubl", "cii", "mt940", "bai2", "csv")
MESSAGE_KINDS = ("eml", "avro", "headers")
KINDS = DOCUMENT_KINDS + MESSAGE_KINDS
DOCUMENT_ROUTES = ("capture", "capture", "capture", "folder", "folder-link", "http", "http-json", "mail-attachment")
MAX_CASE_BYTES = 512 * 1024

# Byte strings that make parsers take a different turn: format markers, delimiters, encodings.
TOKENS = (
    b":20:", b":25:", b":60F:", b":60M:", b":61:", b":86:", b":62F:", b"\r\n", b"01,", b"02,", b"03,", b"16,",
    b"88,", b"49,", b"98,", b"99,", b"/", b"<", b">", b"</", b"<!--", b"-->", b"<![CDATA[", b"]]>", b"&amp;",
    b"&#0;", b"&#x110000;", b"<!DOCTYPE x [", b"<!ENTITY", b"%PDF-1.7", b"obj", b"endobj", b"stream\n",
    b"endstream", b"xref", b"trailer", b"startxref", b"%%EOF", b"/Type /Page", b"/Count 2147483647",
    b"/Kids [1 0 R]", b"/Filter /FlateDecode", b"/Length 99999999", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf",
    b"\xc3\x28", b"\xed\xa0\x80", b"IHDR", b"IDAT", b"IEND", b"\xff\xd8", b"\xff\xd9", b"\xff\xc0", b"II*\x00",
    b"MM\x00*", b"--b\r\n", b"Content-Type: multipart/mixed; boundary=b\r\n\r\n", b"=?utf-8?b?", b"?=",
    b"Content-Transfer-Encoding: base64\r\n", b",", b";", b"\"", b"=cmd|", b"1e999999", b"-0", b"NaN",
    b"99999999999999999999999.99", b"31.02.2026", b"\u202e".decode("unicode_escape").encode(),
)


@dataclass(frozen=True)
class Case:
    """One hostile input: what it is (``kind``), how it enters (``route``), the bytes and a file name.

    ``extra`` holds route-specific strings (upload form fields, Kafka headers as latin-1 text of
    the raw bytes).
    """

    kind: str
    route: str
    data: bytes
    filename: str = "upload.bin"
    extra: tuple[tuple[str, str], ...] = field(default=())

    def describe(self) -> str:
        return f"{self.kind}/{self.route} {len(self.data)} B {self.filename!r}"


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` after one to six random edits (flip, insert, delete, truncate, repeat, token runs)."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(("flip", "insert", "delete", "truncate", "repeat", "token", "token")))
        at = draw(st.integers(0, len(data)))
        if op == "flip" and data:
            index = min(at, len(data) - 1)
            data[index] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(max_size=64))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 512))]
        elif op == "truncate":
            del data[at:]
        elif op == "repeat" and data:
            piece = bytes(data[at:at + draw(st.integers(1, 64))]) or data[:1]
            data[at:at] = piece * draw(st.integers(2, 4000))
        else:
            token = draw(st.sampled_from(TOKENS))
            data[at:at] = token * draw(st.integers(1, 3000))
        if len(data) > MAX_CASE_BYTES:
            del data[MAX_CASE_BYTES:]
    return bytes(data)


# -- inputs built hostile -----------------------------------------------------------------------


def _xml_bomb(root: bytes, depth: int, width: int) -> bytes:
    """Billion laughs: entities that expand to ``width ** depth`` copies."""
    entities = [b'<!ENTITY e0 "lol">'] + [
        b"<!ENTITY e%d \"%s\">" % (level, b"&e%d;" % (level - 1) * width) for level in range(1, depth + 1)]
    return b'<?xml version="1.0"?>\n<!DOCTYPE d [' + b"".join(entities) + b"]>\n" + root.replace(
        b"</", b"&e%d;</" % depth, 1)


def _xxe(root: bytes, target: str) -> bytes:
    return (b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "' + target.encode() + b'">]>\n'
            + root.replace(b"</", b"&x;</", 1))


def _deep_xml(root: bytes, depth: int) -> bytes:
    start = root.find(b">", root.find(b"<Document") if b"<Document" in root else root.find(b"<", 5)) + 1
    return root[:start] + b"<a>" * depth + b"</a>" * depth + root[start:]


@st.composite
def hostile_xml(draw: st.DrawFn, seed: bytes) -> bytes:
    shape = draw(st.sampled_from(("bomb", "xxe", "deep", "huge-text", "encoding", "doctype-loop")))
    if shape == "bomb":
        return _xml_bomb(seed, draw(st.integers(3, 10)), draw(st.integers(2, 12)))
    if shape == "xxe":
        return _xxe(seed, draw(st.sampled_from(("file:///etc/passwd", "file:///proc/self/environ",
                                                "http://127.0.0.1:9/x", "/etc/hostname"))))
    if shape == "deep":
        return _deep_xml(seed, draw(st.integers(100, 60000)))
    if shape == "huge-text":
        return seed.replace(b"</", b"X" * draw(st.integers(1000, 400000)) + b"</", 1)
    if shape == "encoding":
        declared = draw(st.sampled_from((b"UTF-16", b"EBCDIC", b"x-unknown", b"UTF-7", b"latin1")))
        return seed.replace(b'encoding="UTF-8"', b'encoding="' + declared + b'"', 1)
    return (b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY % p "<!ENTITY &#37; q \'x\'>"> %p;]>\n' + seed)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@cache
def _zero_stream(megabytes: int) -> bytes:
    return zlib.compress(bytes(megabytes * 1024 * 1024), 9)


@st.composite
def hostile_png(draw: st.DrawFn) -> bytes:
    width, height = draw(st.integers(1, 200_000)), draw(st.integers(1, 200_000))
    header = struct.pack(">IIBBBBB", width, height, 8, draw(st.sampled_from((0, 2, 3, 4, 6, 7))), 0, 0,
                         draw(st.integers(0, 1)))
    body = _zero_stream(draw(st.sampled_from((1, 8, 32)))) if draw(st.booleans()) else draw(st.binary(max_size=256))
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")


@st.composite
def hostile_tiff(draw: st.DrawFn) -> bytes:
    """Little-endian TIFFs with IFD chains that loop, point outside the file, or declare huge images."""
    width, height = draw(st.integers(1, 10**6)), draw(st.integers(1, 10**6))
    next_ifd = draw(st.sampled_from((8, 0, 0xFFFFFFF0, 30)))  # 8: the IFD points at itself
    compression = draw(st.sampled_from((1, 5, 7, 32773, 9)))
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, compression), (262, 3, 1, 1),
               (273, 4, 1, 8), (277, 3, 1, 1), (278, 4, 1, height), (279, 4, 1, draw(st.integers(0, 2**31)))]
    ifd = struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *entry) for entry in entries)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", next_ifd) + draw(st.binary(max_size=64))


@st.composite
def hostile_pdf(draw: st.DrawFn) -> bytes:
    shape = draw(st.sampled_from(("kids-loop", "count", "bomb", "mediabox", "no-xref", "deep-array")))
    content = b"BT /F1 12 Tf 20 20 Td (INVOICE 1 Total 9.50) Tj ET"
    kids, count, box = b"[3 0 R]", b"1", b"[0 0 300 300]"
    stream_dict, stream = b"/Length %d" % len(content), content
    if shape == "kids-loop":
        kids = b"[2 0 R 3 0 R]"
    elif shape == "count":
        count = draw(st.sampled_from((b"2147483647", b"-1", b"1e9", b"99999")))
    elif shape == "bomb":
        stream = _zero_stream(draw(st.sampled_from((8, 64))))
        stream_dict = b"/Length %d /Filter /FlateDecode" % len(stream)
    elif shape == "mediabox":
        box = draw(st.sampled_from((b"[0 0 14400 14400]", b"[0 0 1e30 1e30]", b"[0 0 -5 0]", b"[0 0 0 0]")))
    elif shape == "deep-array":
        stream = b"[" * draw(st.integers(100, 100000)) + content
        stream_dict = b"/Length %d" % len(stream)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids " + kids + b" /Count " + count + b" >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox " + box + b" /Contents 4 0 R"
        b" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
        b"<< " + stream_dict + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    if shape != "no-xref":
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@st.composite
def hostile_statement(draw: st.DrawFn, kind: str) -> bytes:
    count = draw(st.integers(1, 8000))
    if kind == "mt940":
        unit = draw(st.sampled_from((b":20::25:", b":20:X\r\n:25:Y\r\n", b":61:", b":60F:C999999EUR",
                                     b":61:9913320101C1e999NTRF\r\n:86:", b":86:" + b"?" * 50 + b"\r\n")))
        return b":20:R\r\n:25:A\r\n:60F:C250403EUR1,00\r\n" + unit * count if draw(st.booleans()) else unit * count
    unit = draw(st.sampled_from((b"01,\n", b"02,a,b,c\n", b"88," + b"x" * 70 + b"\n", b"16,999,,,,,/\n",
                                 b"03,ACC,USD," + b"010,1," * 50 + b"/\n", b"\n")))
    return b"01,B,C,250403,0800,1,,,2/\n02,C,B,1,250403,,USD,2/\n" + unit * count


@st.composite
def hostile_csv(draw: st.DrawFn, seed: bytes) -> bytes:
    header, _, _ = seed.partition(b"\n")
    columns = header.count(b",") + 1
    cell = st.one_of(st.sampled_from((b"", b"=HYPERLINK(\"x\")", b"\"unclosed", b"1e99999", b"-1", b"2026-02-31",
                                      b"\x00", b"true", b"TRUE", b"maybe", b"DE00000000000000000000")),
                     st.binary(max_size=40).filter(lambda cell: b"\n" not in cell and b"," not in cell))
    rows = draw(st.lists(st.lists(cell, min_size=1, max_size=columns + 3), max_size=40))
    body = b"\n".join(b",".join(row) for row in rows)
    prefix = draw(st.sampled_from((b"", b"\xef\xbb\xbf", b"\xff\xfe")))
    return prefix + header + b"\n" + body + b"\n"


def _nested_mail(depth: int) -> bytes:
    head = [b"From: a@x\r\nTo: b@x\r\nSubject: deep\r\nMessage-ID: <deep@x>\r\nMIME-Version: 1.0\r\n"
            b'Content-Type: multipart/mixed; boundary="b0"\r\n\r\n']
    head += [b'--b%d\r\nContent-Type: multipart/mixed; boundary="b%d"\r\n\r\n' % (level - 1, level)
             for level in range(1, depth)]
    tail = [b"--b%d--\r\n" % level for level in range(depth - 1, -1, -1)]
    return b"".join([*head, b"--b%d\r\nContent-Type: text/plain\r\n\r\nbottom\r\n" % (depth - 1), *tail])


@st.composite
def hostile_mail(draw: st.DrawFn) -> bytes:
    shape = draw(st.sampled_from(("deep", "parts", "header", "charset", "encoding", "html", "rfc822", "names")))
    pdf = seeds.documents()["pdf"][0]
    if shape == "deep":
        return _nested_mail(draw(st.integers(2, 2500)))
    if shape == "parts":
        parts = b"".join(b"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
                         b"filename=p%d.pdf\r\n\r\n%%PDF-1.4 x\r\n" % i for i in range(draw(st.integers(1, 3000))))
        return b"From: a@x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" + parts + b"--b--\r\n"
    if shape == "header":
        name = draw(st.sampled_from((b"Subject", b"From", b"Date", b"Received", b"Content-Type", b"Message-ID")))
        value = draw(st.sampled_from((b"=?utf-8?b?" * 2000, b"(" * 5000, b"\"" * 3000, b"a" * 300000,
                                      b"<" * 2000 + b">" * 10, b"=?x-unknown?q?abc?=", b"; ; ;" * 3000)))
        return name + b": " + value + b"\r\n" + seeds.mail_with(pdf, "inv.pdf")
    if shape == "charset":
        charset = draw(st.sampled_from((b"x-unknown", b"utf-7", b"utf-16", b"cp65001", b"\xff", b"utf-8\x00")))
        return (b"From: a@x\r\nSubject: c\r\nContent-Type: text/html; charset=" + charset + b"\r\n\r\n"
                + draw(st.binary(max_size=200)))
    if shape == "encoding":
        cte = draw(st.sampled_from((b"base64", b"quoted-printable", b"x-uuencode", b"8bit", b"binary")))
        return (b"From: a@x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: " + cte + b"\r\n\r\n"
                + draw(st.binary(max_size=400)) + b"\r\n--b--\r\n")
    if shape == "html":
        html = draw(st.sampled_from(("<!-- only a comment -->", '<?xml version="1.0" encoding="utf-8"?><html>x</html>',
                                     "<div>" * 20000, "<html><body>\x00\x01</body></html>", "<![CDATA[", "&#0;" * 100)))
        return seeds.mail_with(pdf, "inv.pdf", html=html)
    if shape == "rfc822":
        inner = seeds.mail_with(pdf, "inner.pdf")
        for _ in range(draw(st.integers(1, 200))):
            inner = (b"From: f@x\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n"
                     b"Content-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--x--\r\n")
        return inner
    filename = draw(st.sampled_from(("[/b]x.pdf", "../../etc/passwd", "a" * 3000 + ".pdf", "\x00.pdf", "%00.pdf",
                                 "=?utf-8?q?=2E=2E=2F.pdf?=", "con.pdf", "\u202efdp.exe")))
    return seeds.mail_with(pdf, filename)


# -- cases --------------------------------------------------------------------------------------

FILENAMES = st.sampled_from(("invoice.pdf", "scan.png", "statement.xml", "upload.bin", "[/b]bold[red].pdf",
                             "../../../etc/passwd", "..", "a" * 300, "na\u00efve \u202e.pdf", "x\ty.pdf", "C:\\x.pdf",
                             "?.pdf", "-rf.pdf", "\u00e9\u00e8.txt", " .pdf"))
FORM_FIELDS = st.lists(st.tuples(
    st.sampled_from(("legal_entity", "channel", "external_reference", "media_type", "metadata", "capture_pass")),
    st.one_of(st.text(max_size=40), st.sampled_from(('{"capture_pass": "2"}', '{"a": 1}', "[]", "null", "{" * 500,
                                                      "reextract", "x" * 5000)))), max_size=4)


def _document_data(kind: str) -> st.SearchStrategy[bytes]:
    base = st.sampled_from(seeds.documents()[kind]).flatmap(mutated)
    hostile: dict[str, st.SearchStrategy[bytes]] = {
        "pdf": hostile_pdf(), "png": hostile_png(), "tiff": hostile_tiff(),
        "camt": st.sampled_from(seeds.documents()["camt"]).flatmap(hostile_xml),
        "ubl": st.sampled_from(seeds.documents()["ubl"]).flatmap(hostile_xml),
        "cii": st.sampled_from(seeds.documents()["cii"]).flatmap(hostile_xml),
        "mt940": hostile_statement("mt940"), "bai2": hostile_statement("bai2"),
        "csv": st.sampled_from(seeds.documents()["csv"]).flatmap(hostile_csv),
    }
    return st.one_of(base, hostile[kind]) if kind in hostile else base


@st.composite
def document_case(draw: st.DrawFn, kind: str) -> Case:
    data = draw(_document_data(kind))
    routes = ("masterdata", "masterdata", "capture", "folder", "http") if kind == "csv" else DOCUMENT_ROUTES
    route = draw(st.sampled_from(routes))
    extra = tuple(draw(FORM_FIELDS)) if route.startswith("http") else ()
    return Case(kind, route, data, draw(FILENAMES), extra)


@st.composite
def mail_case(draw: st.DrawFn) -> Case:
    data = draw(st.one_of(st.sampled_from(seeds.documents()["eml"]).flatmap(mutated), hostile_mail()))
    return Case("eml", draw(st.sampled_from(("mail", "mail", "mail-imap"))), data, "mail.eml")


HEADER_VALUES = st.one_of(st.binary(max_size=40), st.sampled_from((b"", b"\xff\xfe", b"NaN", b"-1", b"1e309",
                                                                   b"99999999999999999999", b"\x00" * 10)))


@st.composite
def message_case(draw: st.DrawFn, kind: str) -> Case:
    """A Kafka message for an agent: a mutated Avro value (``avro``) or a valid one with hostile headers."""
    headers = draw(st.lists(st.tuples(st.sampled_from(("docket-attempt", "docket-not-before", "x", "", "\u00e9")),
                                      HEADER_VALUES), max_size=6))
    extra = tuple((name, value.decode("latin-1")) for name, value in headers)
    topic = draw(st.sampled_from(("documents.received", "documents.extracted", "postings.requested",
                                  "masterdata.vendors", "reviews.completed")))
    if kind == "avro":
        shape = draw(st.sampled_from(("mutated", "mutated", "random", "frame")))
        if shape == "random":
            data = draw(st.binary(max_size=300))
        elif shape == "frame":
            data = b"\x00" + struct.pack(">I", draw(st.integers(0, 2**32 - 1))) + draw(st.binary(max_size=64))
        else:
            data = b"AVRO:" + draw(st.binary(min_size=0, max_size=4)) + b"|" + topic.encode()  # mutated in the worker
            return Case("avro", "agent", data, topic, (("mutations", str(draw(st.integers(1, 6)))),
                                                        ("seed", str(draw(st.integers(0, 2**31)))), *extra))
        return Case("avro", "agent", data, topic, extra)
    return Case("headers", "agent", b"", topic, extra)


SCHEDULE = {"pdf": 11, "png": 6, "jpeg": 6, "tiff": 6, "camt": 6, "ubl": 4, "cii": 4, "mt940": 6, "bai2": 6,
            "csv": 6, "eml": 15, "avro": 14, "headers": 10}
"""Cases per hundred of each kind."""


def cases_of(kind: str) -> st.SearchStrategy[Case]:
    """The strategy for one kind of :data:`KINDS`."""
    if kind == "eml":
        return mail_case()
    if kind in MESSAGE_KINDS:
        return message_case(kind)
    return document_case(kind)
