"""Areas and amounts read as people write them: no page a selection supervisor opens and no
PDF (the 选房确认书, the day summary, the lottery notice) shows a number with more than two
decimals, e.g. a sum SQLite hands back as a float (`19284.3300000001`)."""

import io
import re

import pytest
from pypdf import PdfReader

from resettlement.lottery.notice import notice_pdf
from resettlement.selection.documents import summary_pdf
from tests.page_text import visible_text
from tests.site_pages import page_urls, site_build

pytestmark = pytest.mark.django_db

LONG_DECIMAL = re.compile(r"\d+\.\d{3,}")
# Pages whose numbers are coordinates, which have more decimals on purpose (none show any yet).
COORDINATE_PAGES: set[str] = set()


def pdf_words(content: bytes) -> str:
    """The PDF's text with the breaks between cells kept (numbers of adjacent cells apart)."""
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def site(world, personas):
    return site_build(world, personas)


def test_no_page_shows_a_number_with_more_than_two_decimals(site, login):
    client = login("supervisor")
    found = {}
    for name, url in page_urls(site).items():
        if name in COORDINATE_PAGES or name == "logout":
            continue
        response = client.get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue
        numbers = LONG_DECIMAL.findall(visible_text(response.content.decode()))
        if numbers:
            found[name] = numbers
    assert not found


def test_the_day_summary_shows_the_area_left_to_the_hundredth(site, login):
    response = login("supervisor").get(page_urls(site)["selection:summary"])
    text = visible_text(response.content.decode())
    areas = re.findall(r"(\d+\.\d+)", text)
    assert areas
    assert all(re.fullmatch(r"\d+\.\d\d", area) for area in areas), areas


def test_no_pdf_shows_a_number_with_more_than_two_decimals(site, login):
    confirmation = login("supervisor").get(page_urls(site)["selection:confirmation"])
    documents = {
        "confirmation": confirmation.getvalue(),
        "summary": summary_pdf(site.event),
        "notice": notice_pdf(site.lottery),
    }
    found = {}
    for name, content in documents.items():
        numbers = LONG_DECIMAL.findall(pdf_words(content))
        if numbers:
            found[name] = numbers
    assert not found
