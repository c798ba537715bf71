"""Every page in Chinese, as every role sees it: a crawl of the site's pages (tests/site_pages.py)
in headless Chromium, signed in as each persona (and as nobody), finds no word written only in
ASCII letters in the visible text, outside what is meant to stay as it is: codes and numbers
(HT-00002, 5-1-101, EPSG:4545, SHA-256), units, file formats and the data's own names (user
names, project codes). Text in code elements (a command to run, a digest) is not prose.

One browser and one page per persona; downloads and files are skipped, and each error page
(403, 404, 405) is read once."""

import re

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import log_in, new_context
from tests.conftest import PERSONAS
from tests.site_pages import admin_urls, page_urls, site_build

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Swagger UI is the developers' page of the API, in its own (English) interface; the others
# are files (downloads, images, PDFs, JSON), nothing to read in a browser's window.
NOT_CRAWLED = {
    "api-docs", "logout", "favicon", "api-schema", "imports:template", "maps:geometry-download",
    "maps:project-image", "progress:milestone-photo", "progress:milestone-photo-thumb",
    "lottery:file", "lottery:verifier", "lottery:notice-pdf", "lottery:notice-file",
    "selection:confirmation", "selection:board-data",
}  # fmt: skip

# Words that are the same in every language: formats, standards, units, the product's names.
KEPT_AS_THEY_ARE = {
    "API", "PDF", "ZIP", "CSV", "csv", "Excel", "JSON", "GeoJSON", "geojson", "GeoPackage", "gpkg",
    "Shapefile", "KML", "KMZ", "DXF", "GIS", "PNG", "SVG", "zip", "xlsx", "xls", "ods",
    "EPSG", "WGS", "CGCS", "SHA", "ID", "QR", "URL", "m", "m²", "㎡", "English", "Python",
}  # fmt: skip

WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-:/#²'’]*")
FILE_NAME = re.compile(r"[\w\-]+\.(csv|py|pdf|xlsx|zip|geojson)")

VISIBLE_TEXT = """() => {
  const skip = "script, style, template, noscript, code, pre, kbd, samp, textarea";
  const parts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip)) continue;
    if (!parent.checkVisibility({ visibilityProperty: true })) continue;
    parts.push(node.textContent);
  }
  for (const element of document.querySelectorAll("[placeholder], select, input[type=submit]")) {
    if (!element.checkVisibility({ visibilityProperty: true })) continue;
    if (element.placeholder) parts.push(element.placeholder);
    if (element.type === "submit") parts.push(element.value);
    if (element.options) for (const option of element.options) parts.push(option.text);
  }
  return parts.join(" ");
}"""


def foreign_words(text: str, kept: set[str]) -> set[str]:
    words = set()
    for word in WORD.findall(text):
        word = word.rstrip(".:/-#'’")
        if not any(ch.isalpha() for ch in word) or any(ch.isdigit() for ch in word):
            continue  # a number, or a code (HT-00002, 5-1-101, EPSG:4545)
        if word in kept or len(word) == 1 or FILE_NAME.fullmatch(word):
            continue  # a unit, a format, a layout's letter, a file's name
        words.add(word)
    return words


# Pages whose text a script writes: read once it has.
READY = {
    "selection:board": "() => document.body.dataset.version",
    "maps:page": "() => ['true', 'error'].includes(document.body.dataset.mapReady)",
}


def read(page, name: str, url: str, pages_seen: set[str], errors_seen: set[int]) -> str | None:
    """The page's visible text; None for a download, a file, or a page (the sign-in page
    redirected to) or error page already read; "" for one the browser cannot show (e.g. an
    empty 405)."""
    try:
        response = page.goto(url, wait_until="load")
    except PlaywrightError as error:
        return None if "Download is starting" in str(error) else ""
    if response is None or not response.headers.get("content-type", "").startswith("text/html"):
        return None
    seen, key = (errors_seen, response.status) if response.status >= 400 else (pages_seen, page.url)
    if key in seen:
        return None
    seen.add(key)
    if name in READY and response.request.redirected_from is None:
        page.wait_for_function(READY[name])
    return page.evaluate(VISIBLE_TEXT)


def test_every_page_is_in_chinese_for_every_role(browser, live_server, world, personas):
    site = site_build(world, personas)
    urls = {name: url for name, url in page_urls(site).items() if name not in NOT_CRAWLED}
    kept = KEPT_AS_THEY_ARE | set(PERSONAS) | {world.project_a.code, world.project_b.code}
    found: dict[str, set[str]] = {}
    errors_seen: set[int] = set()
    for persona in [None, *PERSONAS]:
        context = new_context(browser, live_server, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        visiting = dict(urls)
        pages_seen: set[str] = set()
        if persona is not None:
            log_in(page, persona)
        if persona == "admin":
            visiting |= {f"admin {url}": url for url in admin_urls(site)}
        for name, url in visiting.items():
            text = read(page, name, url, pages_seen, errors_seen)
            if text is None:
                continue
            words = foreign_words(text, kept) if text.strip() else {"(no page shown)"}
            if words:
                found[f"{persona or 'anonymous'} {name}"] = words
        context.close()
    assert not found, "\n".join(f"{page}: {sorted(words)}" for page, words in found.items())
