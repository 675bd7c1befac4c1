"""Finding a font that draws Chinese, for the images Pillow makes (product
pictures in the demo data, share posters). Debian's ``fonts-noto-cjk`` is
what the Dockerfile and CI install; without any CJK font the images still
render, with Pillow's default font, and the log says why."""

import functools
import logging
import shutil
import subprocess

from PIL import ImageFont

logger = logging.getLogger(__name__)

KNOWN_CJK_FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
]


@functools.cache
def cjk_font_path() -> str | None:
    for path in KNOWN_CJK_FONTS:
        try:
            ImageFont.truetype(path, 12)
        except OSError:
            continue
        return path
    if shutil.which("fc-list"):
        # fc-list with a language lists only fonts that cover it
        result = subprocess.run(  # noqa: S603 - fixed arguments, no user input
            [shutil.which("fc-list"), ":lang=zh-cn", "file"], capture_output=True, text=True, timeout=5, check=False
        )
        for line in sorted(result.stdout.splitlines()):
            candidate = line.split(":", 1)[0].strip()
            try:
                ImageFont.truetype(candidate, 12)
            except OSError:
                continue
            return candidate
    logger.warning(
        "no CJK font found (install Debian's fonts-noto-cjk): Chinese text in generated images "
        "will not render as Chinese"
    )
    return None


def cjk_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A font of ``size`` pixels that draws Chinese, or Pillow's default."""
    path = cjk_font_path()
    if path is None:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(path, size)
