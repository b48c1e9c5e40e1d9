"""Image files made in memory for the upload tests (engine and AppTest): by Pillow, or by hand for PNG
headers Pillow will not write."""
import io
import struct
import zlib


def encode(image, fmt, **options):
    """A Pillow image saved as `fmt` (e.g. "PNG", "JPEG"): the file's bytes."""
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_chunk(kind, body):
    """One PNG chunk: length, type, data, CRC-32 of type + data."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
