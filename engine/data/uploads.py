"""Safe image uploads: bytes from st.file_uploader -> an upright RGB uint8 array, or a clear ValueError.

    from engine.data.uploads import load_upload
    try:
        upload = load_upload(file.getvalue(), file.name, max_side=512)
    except ValueError as error:
        st.warning(str(error))      # says what was wrong and what to do
    upload.rgb                      # (H, W, 3) uint8, read-only
    upload.notes                    # ("EXIF rotation applied", "transparent areas put on white", ...)

Checks, in order, before anything is decoded: the byte size (MAX_UPLOAD_MB, the same limit as
`server.maxUploadSize` in .streamlit/config.toml), the format (Pillow only tries ALLOWED_FORMATS), the
pixel count in the header (MAX_PIXELS: a decompression bomb is a small file that claims a huge image), the
memory the decoded frame takes (MAX_DECODED_MB; JPEGs are first decoded at reduced size when max_side allows).
Then the first frame is decoded, turned upright (EXIF orientation) and converted to 8-bit RGB.
"""
from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, PngImagePlugin, UnidentifiedImageError

from engine.data.file_kinds import allowed_signature, is_text, other_format, sniff_size
from engine.data.image_modes import to_rgb

MAX_UPLOAD_MB = 5  # == server.maxUploadSize (Streamlit's megabytes are 1024 * 1024 bytes)
MAX_BYTES = MAX_UPLOAD_MB * 1024 * 1024
MAX_PIXELS = 40_000_000  # width * height from the header; a 12 MP phone photo is 4032 x 3024
MAX_DECODED_MB = 48  # Pillow's memory for the decoded frame (after a JPEG's draft): a 12 MP RGB PNG fits; reading
# it costs up to ~5 times this at the peak (colour conversion), so a small file claiming 6000 x 6000 RGBA is refused
ALLOWED_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF")  # the only Pillow plugins tried
# (a camera JPEG holding several pictures opens as format "MPO" through the JPEG plugin: accepted too)
ALLOWED_TEXT = "PNG, JPEG, GIF, BMP, WebP or TIFF"
DECODE_ERRORS = (OSError, SyntaxError, EOFError, ValueError, struct.error, IndexError,
                 TypeError)  # Pillow's TIFF plugin raises TypeError("Missing dimensions") for a damaged header
LUMA = np.array([0.299, 0.587, 0.114])  # ITU-R 601-2, as Pillow's convert("L")


@dataclass(frozen=True, eq=False)
class UploadedImage:
    rgb: np.ndarray  # (H, W, 3) uint8, read-only: upright, first frame, on white where it was transparent
    format: str  # Pillow's name of the file format: "PNG", "JPEG", "GIF", ...
    mode: str  # Pillow's mode as stored in the file: "RGB", "CMYK", "P", "I;16", "RGBA", ...
    size: tuple  # (width, height) as stored in the file (Pillow's order, before EXIF rotation)
    notes: tuple = ()  # what was done to the stored pixels to get `rgb`, in order (strings)
    name: str = ""  # display_name() of the file name given to load_upload
    frames: int = 1  # frames (GIF, WebP, APNG) or pages (TIFF) in the file; rgb is the first

    def gray(self):
        """(H, W) float32 in [0, 1]: luma 0.299 R + 0.587 G + 0.114 B (Pillow's convert("L"))."""
        return (self.rgb @ LUMA / 255.0).astype(np.float32)


def load_upload(data, name="", max_side=None, min_side=1, max_aspect=None):
    """Decode uploaded bytes into an UploadedImage, or raise ValueError with a message for the student.

    Args:
        data: the file's bytes (``uploaded_file.getvalue()``).
        name: the file's name, used in messages only (the format is read from the bytes).
        max_side: if given, the result is downscaled so that max(H, W) <= max_side (JPEGs are then
            decoded at reduced size directly, which saves memory).
        min_side, max_aspect: refuse (before decoding) a picture whose short side is below min_side pixels
            or whose long side is more than max_aspect times its short side (what a classifier cannot use).

    Example (a 1024 x 768 grey JPEG made in memory; a phone photo reads the same way):
        >>> import io; from PIL import Image; buffer = io.BytesIO()
        >>> Image.new("L", (1024, 768), 128).save(buffer, "JPEG")
        >>> upload = load_upload(buffer.getvalue(), "grey.jpg", max_side=512)
        >>> upload.rgb.shape, upload.size
        ((384, 512, 3), (1024, 768))
    """
    data = bytes(data)
    name = display_name(name)
    what = f"“{name}”" if name else "The file"
    if max_side is not None and max_side < 1:
        raise ValueError(f"max_side must be at least 1, got {max_side}.")
    if len(data) == 0:
        raise ValueError(f"{what} is empty (0 bytes). Choose the picture again; if it stays empty, "
                         "save it again from an image viewer.")
    if len(data) > MAX_BYTES:
        raise ValueError(f"{what} is {len(data) / 2**20:.1f} MB; the limit is {MAX_UPLOAD_MB} MB. "
                         "Make the picture smaller (or save it as JPEG) and upload it again.")
    image = _open(data, what)
    _check_shape(what, image.size, min_side, max_aspect)
    stored = (image.format, image.mode, image.size)  # before draft, decoding and rotation change them
    sixteen_bit = any(";16" in str(tile.args) for tile in image.tile)  # e.g. PNG rawmode "RGB;16B"
    frames = _frame_count(image)
    if max_side is not None and image.format in ("JPEG", "MPO"):
        image.draft(None, (max_side, max_side))  # the JPEG decoder scales by 1/2, 1/4 or 1/8 itself
    if decoded_bytes(image.mode, image.size) > MAX_DECODED_MB * 2**20:
        raise _too_much_memory(what, image)
    try:
        image.load()
    except Image.DecompressionBombError as error:
        raise _too_many_pixels(what, image.size) from error
    except DECODE_ERRORS as error:
        if _text_bomb(error):
            raise _text_bomb_message(what) from error
        raise ValueError(f"{what} is cut off or damaged: its {image.format} data could not be read to the "
                         "end. Upload it again, or open and save it again in an image editor.") from error
    notes = []
    if frames > 1:
        notes.append(_first_frame_note(image.format, frames))
    image = _upright(image, notes)
    if sixteen_bit and image.mode in ("RGB", "RGBA", "LA"):  # Pillow kept the high byte of each value
        notes.append("16-bit image scaled to 8 bits")
    rgb = to_rgb(image, notes)
    if max_side is not None and max(stored[2]) > max_side:
        rgb = downscale(rgb, max_side)
        notes.append(f"downscaled to {rgb.shape[1]} x {rgb.shape[0]} pixels")
    rgb = np.ascontiguousarray(rgb)
    rgb.flags.writeable = False
    return UploadedImage(rgb, *stored, notes=tuple(notes), name=name, frames=frames)


def decoded_bytes(mode, size):
    """Bytes Pillow holds for a decoded frame of `mode` and (width, height): 1 per pixel for 1, L, P;
    2 for 16-bit gray (I;16*); 4 for every other mode (RGB is stored as 4 bytes per pixel too)."""
    per_pixel = 1 if mode in ("1", "L", "P") else 2 if mode.startswith("I;16") else 4
    return per_pixel * size[0] * size[1]


def display_name(name):
    """The file name safe to show in a message (Streamlit renders messages as Markdown): the last path
    part, at most 60 characters, anything but letters, digits, space, '.', '-' and '_' replaced by '_'."""
    name = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c if c.isalnum() or c in " .-_" else "_" for c in name).strip()
    return name if len(name) <= 60 else name[:28] + "..." + name[-28:]


def downscale(rgb, max_side):
    """(H, W, 3) uint8 -> the same picture with max(H', W') <= max_side (Lanczos, aspect ratio kept).

    H' = round(H * f), W' = round(W * f) with f = max_side / max(H, W); unchanged if already small.
    """
    rgb = np.asarray(rgb)
    if max_side < 1:
        raise ValueError(f"max_side must be at least 1, got {max_side}.")
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"downscale expects an (H, W, 3) uint8 image, got {rgb.dtype} {rgb.shape}.")
    h, w = rgb.shape[:2]
    if max(h, w) <= max_side:
        return rgb
    f = max_side / max(h, w)
    size = (max(1, round(w * f)), max(1, round(h * f)))  # Pillow's (width, height)
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0))


def _open(data, what):
    """Pillow image (header read, nothing decoded) of an allowed format and a safe size, else ValueError."""
    try:
        image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:  # warning if filtered
        raise _too_many_pixels(what, sniff_size(data)) from error
    except (UnidentifiedImageError, *DECODE_ERRORS) as error:
        if _text_bomb(error):
            raise _text_bomb_message(what) from error
        raise _not_readable(data, what) from error
    width, height = image.size
    if width < 1 or height < 1:
        raise _zero_size(what, image.size)
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(what, image.size)
    return image


def _check_shape(what, size, min_side, max_aspect):
    short, long = min(size), max(size)
    if short < min_side or (max_aspect is not None and long > max_aspect * short):
        aspect = f" and at most {max_aspect:g} times as long as it is wide" if max_aspect is not None else ""
        raise ValueError(f"{what} is {size[0]} x {size[1]} pixels (W x H): too thin to use. A picture needs at "
                         f"least {min_side} pixels on its short side{aspect}. Crop or resize it and upload "
                         "it again.")


def _upright(image, notes):
    """Apply the EXIF orientation (tag 0x0112; 1 = upright, 2..8 = mirrored and/or turned)."""
    try:
        if image.getexif().get(0x0112, 1) not in range(2, 9):
            return image
        upright = ImageOps.exif_transpose(image)
    except DECODE_ERRORS:
        notes.append("damaged EXIF data ignored")
        return image
    notes.append("EXIF rotation applied")
    return upright


def _frame_count(image):
    try:
        frames = getattr(image, "n_frames", 1)
        image.seek(0)
        return frames
    except DECODE_ERRORS:
        return 1


def _first_frame_note(file_format, frames):
    if file_format == "TIFF":
        return f"first page of a {frames}-page TIFF"
    if file_format == "MPO":
        return f"first of the {frames} pictures in the MPO (multi-picture JPEG) file"
    return f"first frame of an animated {file_format} ({frames} frames)"


def _too_many_pixels(what, size):
    claimed = f" is {size[0]} x {size[1]} pixels ({size[0] * size[1] / 1e6:,.0f} megapixels)" if size else \
        " claims an enormous number of pixels"
    return ValueError(f"{what}{claimed}; the limit is {MAX_PIXELS / 1e6:.0f} megapixels (a file this small "
                      "claiming that much may be a decompression bomb). Resize the picture, for example to "
                      "4000 x 3000 pixels, and upload it again.")


def _too_much_memory(what, image):
    size, needed = image.size, decoded_bytes(image.mode, image.size) / 2**20
    return ValueError(f"{what} is {size[0]} x {size[1]} pixels in the colour mode {image.mode}: reading it would "
                      f"take {needed:,.0f} MB of memory; the limit is {MAX_DECODED_MB} MB. Resize it (for example "
                      "to 4000 x 3000 pixels) or save it as JPEG, and upload it again.")


def _text_bomb(error):
    """True if Pillow refused a PNG's text chunks (zTXt, iTXt) for unpacking to too much text."""
    return isinstance(error, ValueError) and any(limit in str(error) for limit in ("MAX_TEXT_CHUNK", "MAX_TEXT_MEMORY"))


def _text_bomb_message(what):
    note, total = PngImagePlugin.MAX_TEXT_CHUNK / 2**20, PngImagePlugin.MAX_TEXT_MEMORY / 2**20
    return ValueError(f"{what} holds compressed text (PNG metadata) that unpacks to more than the limit of "
                      f"{note:g} MB a note or {total:g} MB in all; a small file claiming that much may be a "
                      "decompression bomb, so it is not opened. Save the picture again without its metadata, "
                      "or as JPEG, and upload it again.")


def _zero_size(what, size):
    return ValueError(f"{what} says it is {size[0]} x {size[1]} pixels: an image needs at least one pixel in "
                      "each direction, so the file is damaged. Open and save it again, or choose another.")


def _not_readable(data, what):
    """The ValueError for bytes that Pillow did not accept: name what they are where we can tell."""
    size = sniff_size(data)
    if size is not None and min(size) < 1:
        return _zero_size(what, size)
    if size is not None and size[0] * size[1] > MAX_PIXELS:
        return _too_many_pixels(what, size)
    allowed = allowed_signature(data)
    if allowed:
        return ValueError(f"{what} starts like a {allowed} image but is cut off or damaged. Upload it again, "
                          "or open and save it again in an image editor.")
    other = other_format(data, ALLOWED_FORMATS)
    if other:
        return ValueError(f"{what} is {other}, which this app does not accept. Save or export it as PNG or JPEG "
                          f"(accepted: {ALLOWED_TEXT}) and upload it again.")
    if is_text(data):
        return ValueError(f"{what} is a text file, not an image. Upload a {ALLOWED_TEXT} picture.")
    return ValueError(f"{what} is not an image this app can read. Upload a {ALLOWED_TEXT} picture.")
