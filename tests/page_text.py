"""The text a reader sees in a page's HTML, for tests that read pages through HTTP: no script,
style or template content, nothing in an element marked `hidden`."""

from html.parser import HTMLParser

INVISIBLE = {"script", "style", "template", "noscript", "head"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[bool] = []  # per open element: whether it hides its content
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        hides = tag in INVISIBLE or any(name == "hidden" for name, _value in attrs)
        self.open.append(hides)

    def handle_endtag(self, tag):
        if tag not in VOID and self.open:
            self.open.pop()

    def handle_data(self, data):
        if not any(self.open):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())
