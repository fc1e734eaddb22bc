"""PDF/A and PDF/UA identification shared by every writer of the book's PDFs: the XMP metadata packet and
the sRGB output intent's ICC profile. Plain data, no PDF library: ReportLab's side (typeset/tagging.py) and
pypdf's (booklet.py, worksheet/forms.py) each wrap it in their own objects.

The profile is LittleCMS's built-in sRGB (what Pillow's ``ImageCms.createProfile("sRGB")`` writes), stored here
with a fixed creation date so that the same input gives the same bytes.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass

SRGB_ICC = base64.b64decode(
    "AAACTGxjbXMEQAAAbW50clJHQiBYWVogB+oACwAcAAAAAAAAYWNzcEFQUEwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAPbWAAEA"
    "AAAA0y1sY21zAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAALZGVzYwAAAQgAAAA2Y3BydAAA"
    "AUAAAABMd3RwdAAAAYwAAAAUY2hhZAAAAaAAAAAsclhZWgAAAcwAAAAUYlhZWgAAAeAAAAAUZ1hZWgAAAfQAAAAUclRSQwAAAggA"
    "AAAgZ1RSQwAAAggAAAAgYlRSQwAAAggAAAAgY2hybQAAAigAAAAkbWx1YwAAAAAAAAABAAAADGVuVVMAAAAaAAAAHABzAFIARwBC"
    "ACAAYgB1AGkAbAB0AC0AaQBuAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAADAAAAAcAE4AbwAgAGMAbwBwAHkAcgBpAGcAaAB0ACwA"
    "IAB1AHMAZQAgAGYAcgBlAGUAbAB5WFlaIAAAAAAAAPbWAAEAAAAA0y1zZjMyAAAAAAABDEIAAAXe///zJQAAB5MAAP2Q///7of//"
    "/aIAAAPcAADAblhZWiAAAAAAAABvoAAAOPUAAAOQWFlaIAAAAAAAACSfAAAPhAAAtsNYWVogAAAAAAAAYpcAALeHAAAY2XBhcmEA"
    "AAAAAAMAAAACZmYAAPKnAAANWQAAE9AAAApbY2hybQAAAAAAAwAAAACj1wAAVHsAAEzNAACZmgAAJmYAAA9c"
)
OUTPUT_CONDITION = "sRGB IEC61966-2.1"


def escape(text: str) -> str:
    """``xml.sax.saxutils.escape``, the same bytes, without importing it: xml.sax.saxutils imports
    urllib.request (http.client, email, ssl), 12 ms of every build's start-up."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def end_of_data(data: bytes) -> bytes:
    """The end of line between a stream's data and ``endstream``. PDF/A counts the bytes between the end of
    line after ``stream`` and the one before ``endstream``: data that ends in CR needs CR LF there, or its
    CR would read as the start of that end of line and /Length would be one too many."""
    return b"\r\n" if data.endswith(b"\r") else b"\n"


def xmp_date(pdf_date: str) -> str:
    """A PDF date (``D:20261128000000+00'00'``) as XMP writes it (``2026-11-28T00:00:00+00:00``)."""
    d = pdf_date[2:] if pdf_date.startswith("D:") else pdf_date
    if len(d) < 14:
        return ""
    zone = d[14:].replace("'", "")
    zone = "+00:00" if zone in ("", "Z") else f"{zone[:3]}:{zone[3:5] or '00'}"
    return f"{d[0:4]}-{d[4:6]}-{d[6:8]}T{d[8:10]}:{d[10:12]}:{d[12:14]}{zone}"


@dataclass(frozen=True)
class Identity:
    """What the XMP packet says: the Info dictionary's entries (they must agree), the language and the
    conformance claimed (``pdfa``: "2u", "2b"; ``pdfua``: 1 or 0 for none)."""

    title: str
    author: str = ""
    subject: str = ""
    keywords: str = ""
    creator: str = ""
    producer: str = ""
    date: str = ""  # ISO 8601, e.g. 2026-11-28T00:00:00+00:00
    lang: str = ""
    pdfa: str = "2u"
    pdfua: int = 1


def _alt(value: str, lang: str) -> str:
    return (f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(value)}</rdf:li></rdf:Alt>')


def xmp_packet(who: Identity) -> bytes:
    """The document's XMP metadata: Dublin Core, XMP basic, PDF, PDF/A id, PDF/UA id (and its extension
    schema description, which PDF/A requires for a schema outside its list)."""
    part, conformance = who.pdfa[:-1], who.pdfa[-1].upper()
    dc = ["<dc:format>application/pdf</dc:format>", f"<dc:title>{_alt(who.title, who.lang)}</dc:title>"]
    if who.author:
        dc.append(f"<dc:creator><rdf:Seq><rdf:li>{escape(who.author)}</rdf:li></rdf:Seq></dc:creator>")
    if who.subject:
        dc.append(f"<dc:description>{_alt(who.subject, who.lang)}</dc:description>")
    if who.lang:
        dc.append(f"<dc:language><rdf:Bag><rdf:li>{escape(who.lang)}</rdf:li></rdf:Bag></dc:language>")
    xmp = [f"<xmp:CreatorTool>{escape(who.creator)}</xmp:CreatorTool>"] if who.creator else []
    if who.date:
        xmp += [f"<xmp:CreateDate>{who.date}</xmp:CreateDate>", f"<xmp:ModifyDate>{who.date}</xmp:ModifyDate>",
                f"<xmp:MetadataDate>{who.date}</xmp:MetadataDate>"]
    pdf = [f"<pdf:Producer>{escape(who.producer)}</pdf:Producer>"] if who.producer else []
    if who.keywords:
        pdf.append(f"<pdf:Keywords>{escape(who.keywords)}</pdf:Keywords>")
    ua = ""
    if who.pdfua:
        ua = (f'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
              f"<pdfuaid:part>{who.pdfua}</pdfuaid:part></rdf:Description>"
              + _UA_EXTENSION)
    body = (
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">' + "".join(dc)
        + '</rdf:Description><rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
        + "".join(xmp) + '</rdf:Description><rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">'
        + "".join(pdf) + '</rdf:Description><rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">'
        f"<pdfaid:part>{part}</pdfaid:part><pdfaid:conformance>{conformance}</pdfaid:conformance>"
        "</rdf:Description>" + ua)
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            + body + '</rdf:RDF></x:xmpmeta>\n<?xpacket end="w"?>').encode("utf-8")


_UA_EXTENSION = (  # PDF/A-2 accepts pdfuaid only with its schema described in the packet
    '<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" '
    'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
    "<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">"
    "<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>"
    "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>"
    "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq>"
    "<rdf:li rdf:parseType=\"Resource\"><pdfaProperty:name>part</pdfaProperty:name>"
    "<pdfaProperty:valueType>Integer</pdfaProperty:valueType><pdfaProperty:category>internal</pdfaProperty:category>"
    "<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>"
    "</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>")
