"""The one PDF module: its system check names a missing CJK font or HarfBuzz subsetting."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from pypdf import PdfReader

from resettlement import documents
from resettlement.documents import check_pdf_fonts, render_pdf
from tests.documents import pdf_fonts, pdf_text


def test_a_machine_set_up_by_make_passes_the_check():
    assert check_pdf_fonts() == []


def test_a_missing_cjk_font_is_an_error_that_stops_manage_py(monkeypatch):
    monkeypatch.setattr(documents, "cjk_font_path", lambda: None)
    problems = check_pdf_fonts()
    assert [problem.id for problem in problems] == ["resettlement.E001"]
    assert "fonts-noto-cjk" in problems[0].hint
    with pytest.raises(SystemCheckError, match=r"resettlement\.E001"):
        call_command("check", stdout=io.StringIO(), stderr=io.StringIO())


def test_missing_harfbuzz_subsetting_is_a_warning_with_the_package_to_install(monkeypatch):
    monkeypatch.setattr(documents, "harfbuzz_subset_available", lambda: False)
    problems = check_pdf_fonts()
    assert [problem.id for problem in problems] == ["resettlement.W002"]
    assert "libharfbuzz-subset0" in problems[0].hint and "11 s" in problems[0].msg


def test_documents_are_a4_with_chinese_in_the_embedded_simplified_chinese_face():
    content = render_pdf("documents/base.html", {})
    page = PdfReader(io.BytesIO(content)).pages[0]
    width_mm, height_mm = (float(v) * 25.4 / 72 for v in page.mediabox[2:])
    assert (round(width_mm), round(height_mm)) == (210, 297)
    assert "第1页，共1页" in pdf_text(content)
    assert all("Noto-Sans-CJK-SC" in font for font in pdf_fonts(content))
