"""The CJK font that PDFs and map images need to show Chinese (Debian: fonts-noto-cjk), and
the papers' own cut of it.

Noto Sans CJK holds some 65,000 glyphs, and WeasyPrint keeps each glyph's number when it embeds
the few hundred a paper uses (the page's text refers to glyphs by number), so every PDF carries
an index as long as the highest glyph used and its subsetting walks the whole font: 80 ms and
320 KB for a one-page notice. `paper_fonts_build` cuts, once per machine (`make setup`, or
`manage.py build_paper_fonts` on a server), the regular and bold faces down to the characters of
GB 2312 with the Latin, punctuation and symbols printed beside them (7,900 glyphs): the same
notice then takes 33 ms and 123 KB. The papers ask for this cut first and for Noto Sans CJK SC
second, so a character outside GB 2312 (a name's 堃 or 喆) is still printed, from the full font.
"""

import json
import logging
import os
import tempfile
from functools import cache
from pathlib import Path

logger = logging.getLogger(__name__)

CJK_FAMILY = "Noto Sans CJK SC"
CJK_FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
)
CJK_BOLD_PATHS = tuple(path.replace("Regular", "Bold") for path in CJK_FONT_PATHS)

# The papers' cut: its CSS family, and its faces by CSS weight.
PAPER_FAMILY = "Noto Sans CJK SC GB"
PAPER_FACES = {400: "Regular", 700: "Bold"}
PAPER_MANIFEST = "manifest.json"
# Bumped when the character set or the way of cutting changes: the cut is then made again.
PAPER_CUT_VERSION = 1
# Blocks printed beside Chinese text: Latin, punctuation, letter-like symbols (℃ №), Roman and
# circled numbers, arrows, maths, box drawing and shapes, CJK symbols, units (㎡), full width.
PAPER_BLOCKS = (
    (0x0020, 0x007E),
    (0x00A0, 0x00FF),
    (0x2000, 0x206F),
    (0x2100, 0x218F),
    (0x2190, 0x22FF),
    (0x2460, 0x24FF),
    (0x2500, 0x25FF),
    (0x3000, 0x303F),
    (0x3200, 0x33FF),
    (0xFF00, 0xFFEF),
)
# The TTC's face for Simplified Chinese.
SC_FONT_NUMBER = 2


@cache
def cjk_font_path(*, bold: bool = False) -> Path | None:
    for candidate in CJK_BOLD_PATHS if bold else CJK_FONT_PATHS:
        if Path(candidate).is_file():
            return Path(candidate)
    return None


def gb2312_characters() -> set[int]:
    """Every character of GB 2312 (6,763 hanzi, and the symbols, kana, Greek and Cyrillic of
    its first rows), from Python's own codec."""
    characters = set()
    for first in range(0xA1, 0xF8):
        for second in range(0xA1, 0xFF):
            try:
                characters.add(ord(bytes((first, second)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return characters


def paper_characters() -> set[int]:
    characters = gb2312_characters()
    for first, last in PAPER_BLOCKS:
        characters.update(range(first, last + 1))
    return characters


def _source_stamp(path: Path) -> dict:
    stat = path.stat()
    return {"path": str(path), "size": stat.st_size, "mtime": int(stat.st_mtime)}


def _wanted_manifest() -> dict | None:
    sources = {weight: cjk_font_path(bold=weight == 700) for weight in PAPER_FACES}
    if any(path is None for path in sources.values()):
        return None
    return {
        "version": PAPER_CUT_VERSION,
        "sources": {str(weight): _source_stamp(path) for weight, path in sources.items() if path},
    }


def _face_file(directory: Path, weight: int) -> Path:
    return directory / f"NotoSansCJKscGB-{PAPER_FACES[weight]}.otf"


def paper_fonts_current(directory: Path) -> bool:
    """The cut in `directory` is there and made from the fonts installed now."""
    wanted = _wanted_manifest()
    try:
        manifest = json.loads((directory / PAPER_MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    return (
        wanted is not None
        and manifest == wanted
        and all(_face_file(directory, weight).is_file() for weight in PAPER_FACES)
    )


def paper_fonts_build(directory: Path, *, force: bool = False) -> list[Path]:
    """Cut the papers' faces into `directory` (unless already cut from the installed fonts):
    the files written, none if nothing was to do. Raises FileNotFoundError without Noto Sans
    CJK. Each face is written to a temporary file and renamed, so that a process reading the
    directory meanwhile sees the old face or the new one, never half of one."""
    from fontTools import subset  # type: ignore[import-untyped]
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    wanted = _wanted_manifest()
    if wanted is None:
        raise FileNotFoundError("Noto Sans CJK (regular and bold) is not installed.")
    if not force and paper_fonts_current(directory):
        return []
    directory.mkdir(parents=True, exist_ok=True)
    characters = paper_characters()
    written = []
    for weight, style in PAPER_FACES.items():
        source = cjk_font_path(bold=weight == 700)
        assert source is not None
        font = TTFont(source, fontNumber=SC_FONT_NUMBER)
        options = subset.Options()
        options.layout_features = ["*"]  # vertical forms, full-width punctuation, …
        options.name_IDs = ["*"]
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=characters)
        subsetter.subset(font)
        _rename(font, style)
        target = _face_file(directory, weight)
        with tempfile.NamedTemporaryFile(dir=directory, suffix=".otf", delete=False) as file:
            font.save(file)
        os.chmod(file.name, 0o644)  # read by every server and worker of the machine
        os.replace(file.name, target)
        written.append(target)
    (directory / PAPER_MANIFEST).write_text(json.dumps(wanted, indent=2))
    paper_font_files.cache_clear()
    return written


def _rename(font, style: str) -> None:
    """Name the cut as its own family (a modified font keeps no name it is not)."""
    names = {
        1: PAPER_FAMILY,
        2: style,
        4: f"{PAPER_FAMILY} {style}",
        6: f"NotoSansCJKscGB-{style}",
        16: PAPER_FAMILY,
        17: style,
    }
    table = font["name"]
    for record in list(table.names):
        if record.nameID in names:
            table.removeNames(nameID=record.nameID)
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)


def paper_font_dir() -> Path:
    from django.conf import settings

    return Path(settings.PAPER_FONT_DIR)


@cache
def paper_font_files() -> dict[int, Path]:
    """The papers' faces by CSS weight, empty when not cut on this machine."""
    directory = paper_font_dir()
    files = {weight: _face_file(directory, weight) for weight in PAPER_FACES}
    if not all(path.is_file() for path in files.values()):
        return {}
    return files
