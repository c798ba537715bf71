"""The CJK font that PDFs and map images need to show Chinese (Debian: fonts-noto-cjk)."""

from functools import cache
from pathlib import Path

CJK_FAMILY = "Noto Sans CJK SC"
CJK_FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
)
CJK_BOLD_PATHS = tuple(path.replace("Regular", "Bold") for path in CJK_FONT_PATHS)


@cache
def cjk_font_path(*, bold: bool = False) -> Path | None:
    for candidate in CJK_BOLD_PATHS if bold else CJK_FONT_PATHS:
        if Path(candidate).is_file():
            return Path(candidate)
    return None
