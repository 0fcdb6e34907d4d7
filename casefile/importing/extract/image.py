"""Pictures (JPEG, PNG, TIFF, WebP, GIF): the words in them by OCR, and what the camera said.

Each frame (a multi-page TIFF: each page) is a section, its text read by OCR when it has
any. The EXIF data is kept in the notes as the camera stated it: the make and model, when
the picture was taken (by the camera's clock, never taken for a publication date), and
the GPS position, which the notes offer as the place; nothing is inferred from them.

Pillow reads the pictures, with its guard against decompression bombs (a picture of more
than ``MAX_PIXELS`` pixels is refused, not decoded).
"""

from __future__ import annotations

import io
from typing import Any

from casefile.domain.formats import Format
from casefile.importing.extract.model import Damaged, Extracted
from casefile.importing.extract.ocr import ocr_pages

MAX_PIXELS = 120_000_000
# Frames of one picture read at most (a multi-page TIFF's pages); the rest are counted.
FRAMES_AT_MOST = 500
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_MAKE, _MODEL, _DESCRIPTION, _ARTIST, _COPYRIGHT, _DATETIME = (
    0x010F,
    0x0110,
    0x010E,
    0x013B,
    0x8298,
    0x0132,
)
_TAKEN = 0x9003  # DateTimeOriginal, in the EXIF IFD


def read_image(data: bytes, kind: Format, ocr: tuple[str, ...]) -> Extracted:
    from PIL import Image, ImageSequence, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        picture = Image.open(io.BytesIO(data))
        picture.load()
    except Image.DecompressionBombError:
        raise Damaged(
            f"damaged {kind.label}: more than {MAX_PIXELS:,} pixels (refused as a possible "
            "decompression bomb)"
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise Damaged(
            f"damaged {kind.label}: it cannot be decoded (truncated or corrupt)"
        ) from None
    with picture:
        metadata, description, artist = _exif(picture.getexif())
        metadata["Picture size"] = f"{picture.width:,} by {picture.height:,} pixels"
        total: int = getattr(picture, "n_frames", 1)
        count = min(total, FRAMES_AT_MOST)
        unit = "frame" if count > 1 else ""
        # Each frame decoded as OCR reads it, not all held at once.
        frames = ((n, f) for n, f in enumerate(ImageSequence.Iterator(picture), start=1))
        few = ((n, f) for n, f in frames if n <= count)
        texts, notes, warnings = ocr_pages(few, count, ocr, unit) if ocr else ({}, {}, ())
    if total > count:
        metadata["Frames"] = f"{total:,}, the first {count:,} read"
    return Extracted(
        format=kind,
        title=description,
        authors=(artist,) if artist else (),
        pages=tuple(texts.get(n, "") for n in range(1, count + 1)),
        metadata={**metadata, **notes},
        warnings=warnings,
        needs_ocr=len(texts) < count,
        by_ocr=any(text.strip() for text in texts.values()),
    )


def _exif(exif: Any) -> tuple[dict[str, str], str, str]:
    """The notes, the description and the artist a picture's EXIF data gives."""
    taken_ifd = exif.get_ifd(_EXIF_IFD)
    camera = " ".join(str(exif.get(tag, "")).strip() for tag in (_MAKE, _MODEL)).strip()
    taken = str(taken_ifd.get(_TAKEN) or exif.get(_DATETIME) or "").strip()
    notes = {
        "Camera": camera,
        "Taken (camera clock)": _exif_time(taken),
        "GPS position (the place, if the camera was right)": _position(exif.get_ifd(_GPS_IFD)),
        "Copyright": str(exif.get(_COPYRIGHT, "")).strip(),
    }
    description = " ".join(str(exif.get(_DESCRIPTION, "")).split())
    artist = " ".join(str(exif.get(_ARTIST, "")).split())
    return {k: v for k, v in notes.items() if v}, description, artist


def _exif_time(value: str) -> str:
    """EXIF's 2017:03:22 14:41:00 as 2017-03-22 14:41:00."""
    date, _, time = value.partition(" ")
    return f"{date.replace(':', '-')} {time}".strip() if date.count(":") == 2 else value


def _position(gps: Any) -> str:
    """Latitude and longitude in decimal degrees, as the GPS tags give them; "" if not."""
    try:
        lat = _degrees(gps[2], gps.get(1, "N"))
        lon = _degrees(gps[4], gps.get(3, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return ""
    return f"{lat:.6f}, {lon:.6f}"


def _degrees(dms: Any, ref: Any) -> float:
    degrees, minutes, seconds = (float(part) for part in dms)
    value = degrees + minutes / 60 + seconds / 3600
    return -value if str(ref).strip().upper() in ("S", "W") else value
