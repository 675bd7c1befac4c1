"""Uploaded images: proven to be real images before anything is stored.

Pillow opens the bytes, checks the format against an allow-list and the
pixel count against a limit *before* decoding (a decompression bomb is a
small file that claims a huge canvas), then decodes fully and re-encodes, so
what we store is an image Pillow wrote, not the bytes a client sent.

Product pictures (``image_process``) and shop avatars (``avatar_process``)
go through the same checks; every upload form and API endpoint calls one of
them and shows its ``ValidationError`` as a field error.
"""

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # e.g. 8000 × 5000; more is refused, not decoded
MAX_EDGE = 1600  # stored images are scaled down to this on their longer edge
THUMBNAIL_EDGE = 400
AVATAR_EDGE = 320  # avatars are cropped square to this


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


def _too_many_pixels(width: int, height: int) -> ValidationError:
    return ValidationError(
        _("The image has too many pixels (%(width)d × %(height)d).") % {"width": width, "height": height},
        code="image_too_many_pixels",
    )


def _not_an_image() -> ValidationError:
    return ValidationError(_("The file is not an image we can read."), code="not_an_image")


def upload_size_check(upload):
    """Refuse an uploaded file over the size limit before its bytes are read
    (ValidationError ``image_too_large``); returns the upload."""
    if upload and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is larger than %(limit)d MB.") % {"limit": MAX_UPLOAD_BYTES // 1024 // 1024},
            code="image_too_large",
        )
    return upload


def upload_read(upload) -> bytes | None:
    """The bytes of an uploaded file (None without one), checked for size first."""
    if not upload:  # no file, or a form's "clear" (False)
        return None
    return upload_size_check(upload).read()


def image_decode(data: bytes) -> tuple[Image.Image, bool]:
    """The checked, fully decoded image (RGB or RGBA) and whether it has
    transparency. Raises ValidationError (code ``image_too_large``,
    ``not_an_image``, ``image_format_not_allowed`` or ``image_too_many_pixels``)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is larger than %(limit)d MB.") % {"limit": MAX_UPLOAD_BYTES // 1024 // 1024},
            code="image_too_large",
        )
    try:
        with warnings.catch_warnings():
            # Pillow warns above its own limit and refuses at twice it; both are bombs to us
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                width, height = probe.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(
            _("The image has too many pixels."),
            code="image_too_many_pixels",
        ) from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise _not_an_image() from error
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError(_("Images must be JPEG, PNG or WebP."), code="image_format_not_allowed")
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(width, height)
    try:
        with Image.open(io.BytesIO(data)) as source:
            source.load()  # full decode: truncated or corrupt data fails here
            has_alpha = source.mode in ("RGBA", "LA", "PA") or "transparency" in source.info
            image = ImageOps.exif_transpose(source.convert("RGBA" if has_alpha else "RGB"))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise _not_an_image() from error
    return image, has_alpha


def image_process(data: bytes) -> ProcessedImage:
    """Validate an upload and return the bytes to store, with a thumbnail
    (see ``image_decode`` for the errors)."""
    image, has_alpha = image_decode(data)
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


def avatar_process(data: bytes) -> ProcessedImage:
    """Validate an upload and return a square avatar (centre crop), its
    thumbnail being the same picture."""
    image, has_alpha = image_decode(data)
    square = ImageOps.fit(image, (AVATAR_EDGE, AVATAR_EDGE))
    out_format = "PNG" if has_alpha else "JPEG"
    encoded = _encode(square, out_format)
    return ProcessedImage(
        image=encoded,
        thumbnail=encoded,
        extension="png" if has_alpha else "jpg",
        width=AVATAR_EDGE,
        height=AVATAR_EDGE,
    )
