"""The CJK font that PDFs and map images need to show Chinese (Debian: fonts-noto-cjk)."""

from functools import cache
from pathlib import Path

from django.core import checks

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


def check_cjk_font(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if cjk_font_path() is None:
        return [
            checks.Error(
                "No CJK font found: map images and PDFs would show empty boxes instead of Chinese.",
                hint="Install Debian's fonts-noto-cjk (make setup does).",
                id="resettlement.E001",
            )
        ]
    return []
