import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from catalog.images import AVATAR_EDGE, MAX_EDGE, THUMBNAIL_EDGE, avatar_process, image_process

from .factories import image_bytes


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge canvas: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_a_photo_is_reencoded_with_a_thumbnail():
    processed = image_process(image_bytes(size=(2400, 1200)))

    stored = Image.open(io.BytesIO(processed.image))
    thumbnail = Image.open(io.BytesIO(processed.thumbnail))
    assert stored.format == "JPEG" and stored.size == (MAX_EDGE, MAX_EDGE // 2)
    assert max(thumbnail.size) == THUMBNAIL_EDGE
    assert processed.extension == "jpg"


def test_a_transparent_png_stays_png():
    processed = image_process(image_bytes(fmt="PNG", color=(10, 20, 30, 0)))

    assert processed.extension == "png"
    assert Image.open(io.BytesIO(processed.image)).mode == "RGBA"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"I am a text file, not a photo\n" * 20, "not_an_image"),  # what a .jpg name does not make true
        (image_bytes()[:300], "not_an_image"),  # truncated JPEG
        (png_claiming(30_000, 30_000), "image_too_many_pixels"),  # beyond Pillow's own bomb limit
        (png_claiming(9_000, 6_000), "image_too_many_pixels"),  # beyond ours (40 MP), below Pillow's
        (image_bytes(fmt="GIF"), "image_format_not_allowed"),
        (b"\xff\xd8\xff" + b"\x00" * (9 * 1024 * 1024), "image_too_large"),
    ],
    ids=["text-named-jpg", "truncated", "bomb-huge", "bomb-over-our-limit", "gif", "too-large"],
)
def test_bad_uploads_are_refused_with_a_reason(data, code):
    with pytest.raises(ValidationError) as refused:
        image_process(data)

    assert refused.value.code == code


def test_an_avatar_is_cropped_square():
    processed = avatar_process(image_bytes(size=(900, 300)))

    assert Image.open(io.BytesIO(processed.image)).size == (AVATAR_EDGE, AVATAR_EDGE)


def test_an_avatar_gets_the_same_checks():
    with pytest.raises(ValidationError) as refused:
        avatar_process(png_claiming(30_000, 30_000))

    assert refused.value.code == "image_too_many_pixels"
