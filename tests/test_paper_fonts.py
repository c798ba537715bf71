"""The papers' cut of Noto Sans CJK SC (resettlement.fonts): papers print in it, a character
outside it comes from the full font, a machine without it still prints (the check says what to
run), and `build_paper_fonts` knows when its cut is current."""

import io
import json

import pytest
from django.core.management import call_command

from resettlement import documents, fonts
from resettlement.documents import check_pdf_fonts, render_pdf
from resettlement.projects.templatetags import paper
from tests.documents import pdf_fonts, pdf_text

CUT = "Noto-Sans-CJK-SC-GB"


def notice(head_name: str) -> bytes:
    """A paper with the base template's fonts: a head's name in a table, bold and regular."""
    return render_pdf(
        "documents/print_cover.html",
        {
            "job": None,
            "households": 1,
            "pages": 2,
            "chunks": [[(_Item(head_name), [], None)]],
        },
    )


class _Household:
    agreement_no = "HT-000001"

    def __init__(self, head_name):
        self.head_name = head_name


class _Item:
    position = 1
    error = "该户没有有效的交房预约。"

    def __init__(self, head_name):
        self.household = _Household(head_name)


def test_papers_print_in_the_cut_alone_when_their_characters_are_in_gb2312():
    content = notice("王建国")
    assert "王建国" in pdf_text(content)
    names = {name.split("+")[-1] for name in pdf_fonts(content)}
    assert names == {CUT, f"{CUT}-Bold"}, names


def test_a_name_outside_gb2312_is_printed_from_the_full_font():
    assert "堃".encode("gb2312", errors="replace") == b"?"  # not in GB 2312
    content = notice("王堃")
    assert "王堃" in pdf_text(content)
    names = {name.split("+")[-1] for name in pdf_fonts(content)}
    assert "Noto-Sans-CJK-SC" in names and CUT in names, names


def test_without_the_cut_papers_embed_the_full_font_and_the_check_says_what_to_run(monkeypatch):
    monkeypatch.setattr(paper, "paper_font_files", dict)
    monkeypatch.setattr(documents, "paper_font_files", dict)
    content = notice("王建国")
    assert "王建国" in pdf_text(content)
    assert {name.split("+")[-1] for name in pdf_fonts(content)} == {
        "Noto-Sans-CJK-SC",
        "Noto-Sans-CJK-SC-Bold",
    }
    problems = check_pdf_fonts()
    assert [problem.id for problem in problems] == ["resettlement.W003"]
    assert "build_paper_fonts" in problems[0].hint


def test_the_cut_is_current_and_not_made_again(settings):
    output = io.StringIO()
    call_command("build_paper_fonts", stdout=output)
    assert "current" in output.getvalue()
    assert fonts.paper_fonts_current(fonts.paper_font_dir())


def test_a_cut_from_other_fonts_or_another_character_set_is_not_current(tmp_path):
    directory = fonts.paper_font_dir()
    for name in ("NotoSansCJKscGB-Regular.otf", "NotoSansCJKscGB-Bold.otf"):
        (tmp_path / name).write_bytes((directory / name).read_bytes()[:64])
    manifest = json.loads((directory / fonts.PAPER_MANIFEST).read_text())
    (tmp_path / fonts.PAPER_MANIFEST).write_text(json.dumps(manifest))
    assert fonts.paper_fonts_current(tmp_path)
    for key, value in (("version", manifest["version"] + 1), ("sources", {})):
        (tmp_path / fonts.PAPER_MANIFEST).write_text(json.dumps({**manifest, key: value}))
        assert not fonts.paper_fonts_current(tmp_path)
    (tmp_path / fonts.PAPER_MANIFEST).unlink()
    assert not fonts.paper_fonts_current(tmp_path)


@pytest.mark.parametrize("character", ["㎡", "①", "℃", "№", "×", "—", "（", "￥", "Ⅻ", "·"])
def test_the_cut_holds_the_signs_printed_beside_chinese(character):
    assert ord(character) in fonts.paper_characters()
