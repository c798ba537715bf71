"""Every page in Chinese, as every role sees it: a crawl of the site's pages (tests/site_pages.py)
in headless Chromium, signed in as each persona (and as nobody), finds no word written only in
ASCII letters in the visible text, outside what is meant to stay as it is: codes and numbers
(HT-00002, 5-1-101, EPSG:4545, SHA-256), units, file formats and the data's own names (user
names, project codes). Text in code elements (a command to run, a digest) is not prose.

One browser and one page per persona; each address is first fetched through Django's test
client, so downloads are skipped and each error page (403, 404, 405) is seen once."""

import re

import pytest
from django.test import Client

from tests.browser.conftest import log_in, new_context
from tests.conftest import PERSONAS
from tests.site_pages import admin_urls, page_urls, site_build

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Swagger UI is the developers' page of the API, in its own (English) interface.
NOT_CRAWLED = {"api-docs", "logout"}

# Words that are the same in every language: formats, standards, units, the product's names.
KEPT_AS_THEY_ARE = {
    "API", "PDF", "CSV", "csv", "Excel", "JSON", "GeoJSON", "geojson", "GeoPackage", "gpkg",
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


def pages_of(client: Client, urls: dict[str, str], seen_errors: set[int]) -> list[tuple]:
    """The HTML pages among `urls` this client may open, and each error page once."""
    pages = []
    for name, url in urls.items():
        response = client.get(url)
        content_type = response.get("Content-Type", "")
        if not content_type.startswith("text/html") or 300 <= response.status_code < 400:
            continue
        if response.status_code >= 400:
            if response.status_code in seen_errors:
                continue
            seen_errors.add(response.status_code)
        pages.append((name, url))
    return pages


# Pages whose text a script writes: read once it has.
READY = {
    "selection:board": "() => document.body.dataset.version",
    "maps:page": "() => ['true', 'error'].includes(document.body.dataset.mapReady)",
}


def read(page, name: str, url: str) -> str:
    page.goto(url, wait_until="load")
    if name in READY:
        page.wait_for_function(READY[name])
    return page.evaluate(VISIBLE_TEXT)


def test_every_page_is_in_chinese_for_every_role(browser, live_server, world, personas):
    site = site_build(world, personas)
    urls = {name: url for name, url in page_urls(site).items() if name not in NOT_CRAWLED}
    kept = KEPT_AS_THEY_ARE | set(PERSONAS) | {world.project_a.code, world.project_b.code}
    found: dict[str, set[str]] = {}
    seen_errors: set[int] = set()
    visitors = [None, *PERSONAS]
    for persona in visitors:
        client = Client()
        context = new_context(browser, live_server, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        visiting = dict(urls)
        if persona is not None:
            client.force_login(personas[persona])
            log_in(page, persona)
        if persona == "admin":
            visiting |= {f"admin {url}": url for url in admin_urls(site)}
        for name, url in pages_of(client, visiting, seen_errors):
            words = foreign_words(read(page, name, url), kept)
            if words:
                found[f"{persona or 'anonymous'} {name}"] = words
        context.close()
    assert not found, "\n".join(f"{page}: {sorted(words)}" for page, words in found.items())
