"""What uploaded bytes are, told from their first bytes without decoding them (for the messages of uploads.py)."""
from __future__ import annotations

import struct

from PIL import Image

SIGNATURES = {  # first bytes of the allowed formats, to tell "damaged PNG" from "not an image"
    b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG", b"GIF87a": "GIF", b"GIF89a": "GIF", b"BM": "BMP",
    b"II*\x00": "TIFF", b"MM\x00*": "TIFF",
}
OTHER_FILES = {  # first bytes of files people upload by mistake
    b"%PDF": "a PDF document", b"PK\x03\x04": "a ZIP archive (or a Word/PowerPoint file)",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office document",
}


def allowed_signature(data):
    """The accepted format whose signature `data` starts with ("PNG", ..., "WebP"), or None."""
    found = next((fmt for sig, fmt in SIGNATURES.items() if data.startswith(sig)), None)
    if found is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        found = "WebP"
    return found


def other_format(data, allowed):
    """What a non-accepted file is ("a PDF document", "probably an image in the ICO format", ...) or None;
    `allowed`: the Pillow formats the app accepts (never named here).
    Other image formats are named by their Pillow plugin's signature test on the first 16 bytes only."""
    head = data[:64]
    for sig, description in OTHER_FILES.items():
        if head.startswith(sig):
            return description
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
        return "an HEIC photo (the iPhone format)"
    stripped = head.lstrip()
    if stripped.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096]:
        return "an SVG drawing (vector graphics)"
    Image.init()  # registers every Pillow plugin; only its cheap signature test runs, never its decoder
    for file_format, (_, accept) in Image.OPEN.items():
        if file_format in allowed or accept is None:
            continue
        try:
            if accept(head[:16]) is True:
                return f"probably an image in the {file_format} format"
        except Exception:  # noqa: BLE001 - a signature test failing on a short header means "not this one"
            continue
    return None


def is_text(data):
    """True if the first 4 KB are UTF-8 text without control bytes other than tab, CR, LF (a cut
    multi-byte character at the end is allowed)."""
    head = data[:4096]
    text = head.decode("utf-8", errors="ignore")
    if len(text.encode("utf-8")) < len(head) - 3:
        return False
    return all(c >= " " or c in "\t\r\n\f" for c in text)


def sniff_size(data):
    """(width, height) from a PNG, GIF or BMP header without Pillow, or None (for messages only)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data.startswith(b"BM") and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return width, abs(height)  # negative height: rows stored top-down
    return None
