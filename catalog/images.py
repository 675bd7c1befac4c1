"""Uploaded images: proven to be real images before anything is stored.

Pillow opens the bytes, checks the format against an allow-list and the
pixel count against a limit *before* decoding (a decompression bomb is a
small file that claims a huge canvas), then decodes fully and re-encodes, so
what we store is an image Pillow wrote, not the bytes a client sent.
"""

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # e.g. 8000 × 5000; more is refused, not decoded
MAX_EDGE = 1600  # stored images are scaled down to this on their longer edge
THUMBNAIL_EDGE = 400


@dataclass(frozen=True)
class ProcessedImage:
    image: bytes  # JPEG or PNG bytes of the stored image
    thumbnail: bytes
    extension: str  # "jpg" or "png"
    width: int
    height: int


def _encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
    else:
        image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def image_process(data: bytes) -> ProcessedImage:
    """Validate an upload and return the bytes to store, with a thumbnail.

    Raises ValidationError (code ``image_too_large``, ``not_an_image``,
    ``image_format_not_allowed`` or ``image_too_many_pixels``)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is larger than %(limit)d MB.") % {"limit": MAX_UPLOAD_BYTES // 1024 // 1024},
            code="image_too_large",
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError(_("The file is not an image we can read."), code="not_an_image") from error
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError(_("Images must be JPEG, PNG or WebP."), code="image_format_not_allowed")
    if width * height > MAX_PIXELS:
        raise ValidationError(
            _("The image has too many pixels (%(width)d × %(height)d).") % {"width": width, "height": height},
            code="image_too_many_pixels",
        )
    try:
        with Image.open(io.BytesIO(data)) as source:
            source.load()  # full decode: truncated or corrupt data fails here
            has_alpha = source.mode in ("RGBA", "LA") or "transparency" in source.info
            image = source.convert("RGBA" if has_alpha else "RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError(_("The file is not an image we can read."), code="not_an_image") from error

    image.thumbnail((MAX_EDGE, MAX_EDGE))
    thumbnail = image.copy()
    thumbnail.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE))
    out_format = "PNG" if has_alpha else "JPEG"
    return ProcessedImage(
        image=_encode(image, out_format),
        thumbnail=_encode(thumbnail, out_format),
        extension="png" if has_alpha else "jpg",
        width=image.width,
        height=image.height,
    )
