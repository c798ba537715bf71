"""What a browser submits for the forms of a page, by the HTML standard's rules.

`page_forms(html, url)` parses every <form> of a page and its controls; `HtmlForm.entries()`
builds the entry list a browser sends when the form is submitted with its default button
(https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#constructing-the-form-data-set):
checked checkboxes and radios only, the selected options (the first enabled one of a
single-choice list when none is selected), textareas without the newline that follows the start
tag, no disabled control, no file chosen; and each value sanitised by its input type as the
browser does before anyone touches it: a date input whose value is not `YYYY-MM-DD`, or a number
input whose value is not a valid floating-point number, is empty. Line breaks go out as CRLF.
A form with `hx-post` is a POST form to that address (htmx sends the same entries).
`tests/browser/test_form_entries.py` checks these rules against Chromium's own FormData.
"""

import calendar
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin

from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

_FLOAT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_DATE = re.compile(r"([0-9]{4,})-([0-9]{2})-([0-9]{2})")
_TIME = r"([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,3}))?)?"
_TIME_RE = re.compile(_TIME)
_DATETIME = re.compile(r"([0-9]{4,}-[0-9]{2}-[0-9]{2})[T ]" + _TIME)
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_WHITESPACE = re.compile(r"[\t\n\f\r ]+")
# Inputs whose value the user types: with more than one of them, a form without a submit
# button is not submitted by pressing Enter (implicit submission).
_BLOCKS_IMPLICIT = frozenset(
    {"text", "search", "url", "tel", "email", "password", "date", "month", "week", "time"}
    | {"datetime-local", "number"}
)
_BUTTON_TYPES = frozenset({"submit", "reset", "button", "image"})
_KNOWN_TYPES = _BLOCKS_IMPLICIT | _BUTTON_TYPES | {"hidden", "checkbox", "radio", "file"}
_KNOWN_TYPES |= {"color", "range"}


def valid_float(value: str) -> bool:
    return bool(_FLOAT.fullmatch(value))


def valid_date(value: str) -> bool:
    match = _DATE.fullmatch(value)
    if not match:
        return False
    year, month, day = (int(part) for part in match.groups())
    return year > 0 and 1 <= month <= 12 and 1 <= day <= _days_in_month(year, month)


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if calendar.isleap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def valid_time(value: str) -> bool:
    match = _TIME_RE.fullmatch(value)
    return bool(match) and int(match[1]) < 24 and int(match[2]) < 60 and int(match[3] or 0) < 60


def normalized_local_datetime(value: str) -> str:
    """A valid local date and time string in its normalised form (`T`, no zero seconds);
    anything else is empty."""
    match = _DATETIME.fullmatch(value)
    if not match or not valid_date(match[1]):
        return ""
    time = value[len(match[1]) + 1 :]
    if not valid_time(time):
        return ""
    hours, minutes, seconds, fraction = match[2], match[3], match[4] or "00", match[5] or ""
    fraction = fraction.rstrip("0")
    if fraction:
        return f"{match[1]}T{hours}:{minutes}:{seconds}.{fraction}"
    if seconds != "00":
        return f"{match[1]}T{hours}:{minutes}:{seconds}"
    return f"{match[1]}T{hours}:{minutes}"


def sanitized(input_type: str, value: str) -> str:
    """The value sanitisation algorithm of each input type (the value as the page set it)."""
    if input_type in ("text", "search", "tel", "password"):
        return value.replace("\r", "").replace("\n", "")
    if input_type in ("url", "email"):
        return value.replace("\r", "").replace("\n", "").strip(" \t\n\f\r")
    if input_type == "number":
        return value if valid_float(value) else ""
    if input_type == "date":
        return value if valid_date(value) else ""
    if input_type == "time":
        return value if valid_time(value) else ""
    if input_type == "datetime-local":
        return normalized_local_datetime(value)
    if input_type == "color":
        return value.lower() if _COLOR.fullmatch(value) else "#000000"
    if input_type == "hidden":
        return value
    raise AssertionError(f"tests/html_forms.py has no value rule for <input type={input_type}>")


@dataclass
class Option:
    attrs: dict[str, str | None]
    text: str = ""
    disabled: bool = False

    @property
    def value(self) -> str:
        if "value" in self.attrs:
            return self.attrs["value"] or ""
        return _WHITESPACE.sub(" ", self.text).strip(" \t\n\f\r")


@dataclass
class Control:
    tag: str  # input, select, textarea or button
    attrs: dict[str, str | None]
    disabled: bool = False  # itself or by a disabled fieldset
    options: list[Option] = field(default_factory=list)
    text: str = ""

    @property
    def name(self) -> str:
        return self.attrs.get("name") or ""

    @property
    def type(self) -> str:
        if self.tag == "button":
            kind = (self.attrs.get("type") or "submit").lower()
            return kind if kind in ("submit", "reset", "button") else "submit"
        if self.tag != "input":
            return self.tag
        kind = (self.attrs.get("type") or "text").lower()
        return kind if kind in _KNOWN_TYPES else "text"

    @property
    def is_submit_button(self) -> bool:
        return self.type in ("submit", "image") and self.tag in ("input", "button")

    def entries(self) -> list[tuple[str, str]]:
        """This control's part of the entry list (buttons only as the submitter)."""
        name, kind = self.name, self.type
        if self.disabled or not name or kind in _BUTTON_TYPES or kind == "file":
            return []
        if kind in ("checkbox", "radio"):
            if "checked" not in self.attrs:
                return []
            value = self.attrs.get("value")
            return [(name, "on" if value is None else value)]
        if self.tag == "select":
            return [(name, option.value) for option in self.selected_options()]
        if self.tag == "textarea":
            return [(name, self.textarea_value())]
        return [(name, sanitized(kind, self.attrs.get("value") or ""))]

    def selected_options(self) -> list[Option]:
        selected = [option for option in self.options if "selected" in option.attrs]
        multiple = "multiple" in self.attrs
        if not multiple and len(selected) > 1:
            selected = selected[-1:]
        size = self.attrs.get("size")
        display_size = int(size) if size and size.isdigit() and int(size) > 0 else 1
        if not selected and not multiple and display_size == 1:
            selected = [option for option in self.options if not option.disabled][:1]
        return [option for option in selected if not option.disabled]

    def textarea_value(self) -> str:
        """The HTML parser drops one newline right after <textarea>; line breaks are LF."""
        text = self.text.replace("\r\n", "\n").replace("\r", "\n")
        return text[1:] if text.startswith("\n") else text


@dataclass
class HtmlForm:
    page_url: str
    attrs: dict[str, str | None]
    controls: list[Control] = field(default_factory=list)

    @property
    def method(self) -> str:
        if self.attrs.get("hx-post"):  # htmx sends it as a POST, with the same entries
            return "post"
        method = (self.attrs.get("method") or "get").lower()
        return method if method in ("get", "post", "dialog") else "get"

    @property
    def enctype(self) -> str:
        enctype = (self.attrs.get("enctype") or "").lower()
        if enctype in ("multipart/form-data", "text/plain"):
            return enctype
        return "application/x-www-form-urlencoded"

    @property
    def action(self) -> str:
        """Where it goes: the page's own address when the action is missing or empty."""
        action = self.attrs.get("hx-post") or self.attrs.get("action")
        return urljoin(self.page_url, action or self.page_url)

    def submitter(self) -> Control | None:
        """The default button: the first submit button in tree order."""
        return next((control for control in self.controls if control.is_submit_button), None)

    def submittable(self) -> bool:
        """Whether pressing a button or Enter submits it: a form without a submit button is
        submitted by Enter only when at most one field blocks implicit submission."""
        if self.submitter() is not None:
            return not self.submitter().disabled
        blocking = [c for c in self.controls if c.tag == "input" and c.type in _BLOCKS_IMPLICIT]
        return len(blocking) <= 1

    def entries(self) -> list[tuple[str, str]]:
        """The name-value pairs sent when the default button submits the form."""
        submitter = self.submitter()
        pairs = []
        for control in self.controls:
            pairs += control.entries()
            if control is submitter and control.name and control.type == "submit":
                pairs.append((control.name, control.attrs.get("value") or ""))
            elif control is submitter and control.type == "image":
                prefix = f"{control.name}." if control.name else ""
                pairs += [(f"{prefix}x", "0"), (f"{prefix}y", "0")]
        return [(_crlf(name), _crlf(value)) for name, value in pairs]


def _crlf(text: str) -> str:
    return re.sub(r"\r\n|\r|\n", "\r\n", text)


class _FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[HtmlForm] = []
        self.forms_by_id: dict[str, HtmlForm] = {}
        self.current: HtmlForm | None = None
        self.orphans: list[tuple[str, Control]] = []  # controls with a form="id" attribute
        self.disabled_fieldsets = 0
        self.fieldsets: list[bool] = []
        self.select: Control | None = None
        self.option: Option | None = None
        self.optgroup_disabled = False
        self.textarea: Control | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if self.current is None:  # a form inside a form is ignored by the parser
                self.current = HtmlForm(self.page_url, attrs)
                self.forms.append(self.current)
                if attrs.get("id"):
                    self.forms_by_id.setdefault(attrs["id"], self.current)
        elif tag == "fieldset":
            self.fieldsets.append("disabled" in attrs)
        elif tag in ("input", "button", "select", "textarea"):
            control = Control(tag, attrs, disabled="disabled" in attrs or any(self.fieldsets))
            self._own(control)
            if tag == "select":
                self.select = control
            elif tag == "textarea":
                self.textarea = control
        elif tag == "optgroup" and self.select is not None:
            self.optgroup_disabled = "disabled" in attrs
        elif tag == "option" and self.select is not None:
            self.option = Option(attrs, disabled="disabled" in attrs or self.optgroup_disabled)
            self.select.options.append(self.option)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ("input", "option"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "fieldset" and self.fieldsets:
            self.fieldsets.pop()
        elif tag == "select":
            self.select = self.option = None
            self.optgroup_disabled = False
        elif tag == "optgroup":
            self.optgroup_disabled = False
            self.option = None
        elif tag == "option":
            self.option = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.text += data
        elif self.option is not None:
            self.option.text += data

    def _own(self, control: Control) -> None:
        owner = control.attrs.get("form")
        if owner is not None:
            self.orphans.append((owner, control))
        elif self.current is not None:
            self.current.controls.append(control)

    def close(self):
        super().close()
        for owner, control in self.orphans:  # tree order is kept well enough for our pages
            if owner in self.forms_by_id:
                self.forms_by_id[owner].controls.append(control)


def page_forms(html: str, page_url: str) -> list[HtmlForm]:
    parser = _FormParser(page_url)
    parser.feed(html)
    parser.close()
    return parser.forms


def submit(client, form: HtmlForm, *, without: tuple[str, ...] = ()):
    """Send the form as the browser would (POST forms only), through the Django test client;
    `without` the entries of these names (a request forged without its CSRF token)."""
    assert form.method == "post", form.attrs
    pairs = [(name, value) for name, value in form.entries() if name not in without]
    if form.enctype == "multipart/form-data":
        data: dict[str, list[str]] = {}
        for name, value in pairs:
            data.setdefault(name, []).append(value)
        return client.generic(
            "POST", form.action, encode_multipart(BOUNDARY, data), content_type=MULTIPART_CONTENT
        )
    return client.generic(
        "POST",
        form.action,
        urlencode(pairs),
        content_type="application/x-www-form-urlencoded",
    )
