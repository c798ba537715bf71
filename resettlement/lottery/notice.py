"""The public notice (公示) of a lottery, rendered once and stored: roster.csv and pools.csv when
the roster is frozen, result.csv when it is drawn, the notice's result table when it is
published, and the notice PDF right after (a background task: thousands of rows take seconds).
A reader, logged in or not, gets the stored bytes; nothing here runs on their request."""

import functools
import hashlib
import re
import shlex
import sys
import uuid
from typing import Any, NamedTuple

import segno
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from resettlement.accounts.models import User
from resettlement.archive.models import DocumentKind, StoredDocument
from resettlement.archive.services import (
    document_bytes,
    document_latest,
    document_once,
    document_store,
    documents_latest,
)
from resettlement.documents import PDF, render_pdf
from resettlement.input_values import parse_text, without_invisible
from resettlement.lottery.files import published_file, published_file_names
from resettlement.lottery.models import (
    NOTICE_DETAIL_FIELDS,
    DrawMethod,
    Lottery,
    LotteryMode,
    LotteryStatus,
)
from resettlement.masking import mask_name

CSV = "text/csv; charset=utf-8"
HTML = "text/html; charset=utf-8"
FILE_KINDS = {
    "roster.csv": DocumentKind.LOTTERY_ROSTER_CSV,
    "pools.csv": DocumentKind.LOTTERY_POOLS_CSV,
    "result.csv": DocumentKind.LOTTERY_RESULT_CSV,
}
NOTICE_KINDS = (DocumentKind.LOTTERY_NOTICE_ROWS, DocumentKind.LOTTERY_NOTICE_PDF)
# The PDF's result table is laid out a block of rows at a time, each cell holding one column's
# lines (see documents/lottery_notice.html): a table cell per value made WeasyPrint lay out
# ten thousand cells for two thousand households.
PDF_ROWS_PER_BLOCK = 20
PDF_COLUMNS = ("sequence", "group", "agreement_no", "name", "flat")


def notice_rows(lottery: Lottery, results=None) -> list[dict]:
    """The notice's rows (masked names, never an ID number): all of them, or of `results`
    (read as plain values: no model is built for a row)."""
    if results is None:
        results = lottery.results.order_by("sequence")
    values = results.values_list(
        "sequence",
        "entry__group",
        "entry__agreement_no",
        "entry__household__head_name",
        "flat__code",
    )
    return [
        {
            "sequence": sequence,
            "group": group,
            "agreement_no": agreement_no,
            "name": mask_name(head_name),
            "flat": flat_code or "",
        }
        for sequence, group, agreement_no, head_name, flat_code in values
    ]


def public_file_name(lottery: Lottery, name: str) -> str:
    """The name a published file is downloaded under (Content-Disposition), as the notice's
    command names it: lottery-12-roster.csv."""
    return f"lottery-{lottery.pk}-{name}"


VERIFIER_NAME = "lottery_verify.py"
_BARE = re.compile(r"[A-Za-z0-9._:/=+@-]+")
_UNSAFE_IN_DOUBLE_QUOTES = set('"$`\\!%^')


def _shell_word(value: str) -> str:
    """One argument as a shell takes it: bare when plain, in double quotes when that is safe
    (the same in sh, PowerShell and cmd.exe), else in single quotes (POSIX sh)."""
    if _BARE.fullmatch(value):
        return value
    if not _UNSAFE_IN_DOUBLE_QUOTES & set(value) and value.isprintable():
        return f'"{value}"'
    return shlex.quote(value)


def verify_command(lottery: Lottery) -> str | None:
    """The command the notice prints: run in the folder where the verifier and the published
    files were saved under the names they are served with, it recomputes the draw and checks
    every value on the notice (commitment, both digests). None for a draw made on the notary's
    software, whose secret the system never had."""
    if lottery.draw_method != DrawMethod.SYSTEM or not lottery.secret:
        return None
    words = [
        "python3",
        VERIFIER_NAME,
        public_file_name(lottery, "roster.csv"),
        public_file_name(lottery, "result.csv"),
    ]
    if lottery.mode == LotteryMode.ASSIGN:
        words += ["--pools", public_file_name(lottery, "pools.csv")]
    words += [
        *("--secret", lottery.secret, "--public-input", lottery.public_input),
        *("--commitment", lottery.commitment, "--roster-digest", lottery.roster_digest),
        *("--result-digest", lottery.result_digest),
    ]
    return " ".join(_shell_word(word) for word in words)


def notice_url(lottery: Lottery) -> str:
    """The notice's public address, absolute (PUBLIC_BASE_URL), as printed on its PDF."""
    return settings.PUBLIC_BASE_URL + reverse("lottery:notice", args=[lottery.public_token])


def status_url(lottery: Lottery) -> str:
    """Where a household looks up its own number (/my/, its project chosen), printed on the
    notice beside the notice's own address."""
    path = reverse("household_status:status")
    return f"{settings.PUBLIC_BASE_URL}{path}?p={lottery.project.code}"


def notice_qr(lottery: Lottery) -> str:
    """The notice's address as a QR code: a PNG of one pixel per module (and the quiet zone),
    as a data: address, drawn unsmoothed at print size (image-rendering: pixelated)."""
    return segno.make(notice_url(lottery), error="m").png_data_uri(scale=1, border=4)


def notice_files(lottery: Lottery) -> list[dict]:
    """The verifier and the published files, each with its address and the name it is
    downloaded under."""
    files = [{"name": VERIFIER_NAME, "url": reverse("lottery:verifier")}]
    for name in published_file_names(lottery):
        files.append(
            {
                "name": public_file_name(lottery, name),
                "url": reverse("lottery:notice-file", args=[lottery.public_token, name]),
            }
        )
    return files


def notice_context(lottery: Lottery) -> dict:
    """What the notice shows besides its result table."""
    return {
        "lottery": lottery,
        "project": lottery.project,
        "witnesses": lottery.witnesses.all(),
        "replaced_by": getattr(lottery, "replaced_by", None),
        "printed_at": timezone.localtime(),
        "verify_command": verify_command(lottery),
        "notice_files": notice_files(lottery),
        "notice_url": notice_url(lottery),
    }


def notice_rows_html(lottery: Lottery, rows: list[dict] | None = None) -> SafeString:
    """The rows of the notice page's result table (language-neutral: numbers, masked names)."""
    rows = notice_rows(lottery) if rows is None else rows
    return render_to_string(
        "lottery/_notice_rows.html",
        {"rows": rows, "assign": lottery.mode == LotteryMode.ASSIGN},
    )


def row_blocks(rows: list[dict], size: int = PDF_ROWS_PER_BLOCK) -> list[dict]:
    """The rows in blocks of `size`, each column's values of a block joined by line breaks."""
    return [
        {
            column: "\n".join(_one_line(row[column]) for row in rows[start : start + size])
            for column in PDF_COLUMNS
        }
        for start in range(0, len(rows), size)
    ]


def _one_line(value) -> str:
    return " ".join(str(value).splitlines())


def notice_pdf(lottery: Lottery) -> bytes:
    context = {
        **notice_context(lottery),
        "blocks": row_blocks(notice_rows(lottery)),
        "notice_qr": notice_qr(lottery),
        "status_url": status_url(lottery),
    }
    return render_pdf("documents/lottery_notice.html", context)


def files_store(lottery: Lottery, *, by: User | None = None) -> list[StoredDocument]:
    """Store whichever of the lottery's published files it publishes by now (each only once)."""
    return [file_document(lottery, name, by=by) for name in published_file_names(lottery)]


def _published_text(lottery: Lottery, name: str) -> str:
    text = published_file(lottery, name)
    if text is None:
        raise ValueError(f"lottery {lottery.pk} does not publish {name} (yet)")
    return text


def file_document(lottery: Lottery, name: str, *, by: User | None = None) -> StoredDocument:
    return document_once(
        subject=lottery,
        kind=FILE_KINDS[name],
        media_type=CSV,
        render=lambda: _published_text(lottery, name).encode(),
        by=by,
    )


def notice_rows_store(lottery: Lottery, *, by: User | None = None) -> StoredDocument:
    return document_once(
        subject=lottery,
        kind=DocumentKind.LOTTERY_NOTICE_ROWS,
        media_type=HTML,
        render=lambda: notice_rows_html(lottery).encode(),
        by=by,
    )


def notice_documents(lottery: Lottery) -> dict[str, StoredDocument]:
    """The stored result table and PDF of the notice (one query), by kind."""
    return documents_latest(lottery, NOTICE_KINDS)


def stored_rows_html(document: StoredDocument) -> SafeString:
    # Our own rendering of lottery/_notice_rows.html (autoescaped), kept in private storage.
    return mark_safe(document_bytes(document).decode())  # noqa: S308


PUBLIC_PAGE_CACHE_SECONDS = 24 * 3600
# The result table comes a page of rows at a time, or as the rows whose agreement number holds
# the searched text: a reader never gets (nor costs the rendering of) two thousand rows at once.
NOTICE_PAGE_ROWS = 200
SEARCH_LIMIT = 50
SEARCH_MAX_LENGTH = 40
_SECTION = "<!--notice-rows-section-->"
_ROW = re.compile(r".*?</tr>\n", re.S)


def search_text(value: str | None) -> str:
    """The searched agreement number as matched: trimmed, NFKC (full-width digits folded),
    without invisible characters, at most SEARCH_MAX_LENGTH characters."""
    text = without_invisible((value or "")[: SEARCH_MAX_LENGTH * 4])
    return parse_text(text, required=False)[:SEARCH_MAX_LENGTH]


def page_number(value: str | None, pages: int) -> int:
    """The asked page, 1 when it is not a number, the nearest one that exists otherwise."""
    try:
        number = int(value or 1)
    except ValueError:
        number = 1
    return min(max(number, 1), pages)


def page_count(rows: int) -> int:
    return max(1, -(-rows // NOTICE_PAGE_ROWS))


def rows_section(
    lottery: Lottery,
    *,
    rows_html: str,
    query: str,
    number: int,
    pages: int,
    found: int | None = None,
) -> str:
    """The search form, the result table (`rows_html`: a page of rows, or what a search
    found) and the page links."""
    return render_to_string(
        "lottery/_notice_rows_section.html",
        {
            "lottery": lottery,
            "rows_html": mark_safe(rows_html),  # noqa: S308 (rendered by _notice_rows.html)
            "query": query,
            "number": number,
            "pages": range(1, pages + 1) if pages > 1 else (),
            "found": found,
            "limit": SEARCH_LIMIT,
            "max_length": SEARCH_MAX_LENGTH,
        },
    )


def search_section(lottery: Lottery, query: str, pages: int) -> str:
    """What a search finds, at most SEARCH_LIMIT rows, read from the database (the results
    never change once drawn): one query, a few rows rendered."""
    results = lottery.results.filter(entry__agreement_no__icontains=query).order_by("sequence")
    rows = notice_rows(lottery, results[: SEARCH_LIMIT + 1])
    return rows_section(
        lottery,
        rows_html=notice_rows_html(lottery, rows[:SEARCH_LIMIT]),
        query=query,
        number=1,
        pages=pages,
        found=len(rows),
    )


def stored_row_lines(document: StoredDocument) -> list[str]:
    """The stored result table's rows (lottery/_notice_rows.html writes one per line; a value
    never holds "</tr>", which it would show escaped)."""
    return _ROW.findall(stored_rows_html(document))


def page_section(lottery: Lottery, lines: list[str], number: int) -> str:
    start = (number - 1) * NOTICE_PAGE_ROWS
    return rows_section(
        lottery,
        rows_html="".join(lines[start : start + NOTICE_PAGE_ROWS]),
        query="",
        number=number,
        pages=page_count(len(lines)),
    )


class PublicState(NamedTuple):
    """What decides a published notice page, read in one statement (`public_state`)."""

    lottery_id: int
    published: bool
    stored: bool  # its result table is stored (it is, from publication on)
    key: str  # names the state of all the page shows: its stored table and PDF, a re-draw
    # replacing it, the deployed style sheet, its details


@functools.cache
def _public_state_sql() -> str:
    """The lottery's id and status, the digests of its latest stored table and PDF, the id of a
    re-draw replacing it and its details. Table and column names only are put in."""
    sql = """SELECT l.id, l.status,
        (SELECT d.sha256 FROM {documents} d WHERE d.content_type_id = %s AND d.object_id = l.id
          AND d.kind = %s ORDER BY d.id DESC LIMIT 1),
        (SELECT d.sha256 FROM {documents} d WHERE d.content_type_id = %s AND d.object_id = l.id
          AND d.kind = %s ORDER BY d.id DESC LIMIT 1),
        (SELECT r.id FROM {lottery} r WHERE r.replaces_id = l.id),
        {details}
        FROM {lottery} l WHERE l.public_token = %s"""
    lottery = Lottery._meta
    return sql.format(
        documents=StoredDocument._meta.db_table,
        lottery=lottery.db_table,
        details=", ".join(f"l.{lottery.get_field(name).column}" for name in NOTICE_DETAIL_FIELDS),  # type: ignore[union-attr]
    )


def public_state(token: uuid.UUID) -> PublicState | None:
    """The state of the notice with this public token (None when there is none), in one
    statement written as SQL: every anonymous reader of a page costs it, and the ORM's
    composing of it cost more than the database's answer."""
    content_type = ContentType.objects.get_for_model(Lottery).pk  # cached by Django
    token_value = Lottery._meta.get_field("public_token").get_db_prep_value(token, connection)
    parameters: list[Any] = [content_type, str(DocumentKind.LOTTERY_NOTICE_ROWS), content_type]
    parameters += [str(DocumentKind.LOTTERY_NOTICE_PDF), token_value]
    with connection.cursor() as cursor:
        cursor.execute(_public_state_sql(), parameters)
        row = cursor.fetchone()
    if row is None:
        return None
    lottery_id, status, rows_sha256, pdf_sha256, replaced_by, *details = row
    state = (
        str(token),  # random per lottery, never reused (unlike a primary key)
        rows_sha256,
        pdf_sha256 or "",
        replaced_by or "",
        static("resettlement/css/app.css"),
        *map(str, details),
    )
    key = hashlib.sha256(repr(state).encode()).hexdigest()
    return PublicState(lottery_id, status == LotteryStatus.PUBLISHED, rows_sha256 is not None, key)


# What the notice page shows of a lottery (templates/lottery/notice.html, _digests.html): its
# rendering loads these columns only.
NOTICE_FIELDS = (
    *("name", "mode", "algorithm", "status", "venue", "drawn_at", "draw_method", "public_token"),
    *("frozen_at", *NOTICE_DETAIL_FIELDS),
    *("roster_digest", "commitment", "secret", "public_input", "result_digest"),
    *("notary_file_digest", "replace_reason", "replace_approved_by"),
    *("project__name", "replaces__name", "replaced_by__name", "replaced_by__replace_reason"),
)


def _notice_lottery(state: PublicState) -> Lottery:
    lotteries = Lottery.objects.select_related("project", "replaces", "replaced_by")
    return lotteries.only(*NOTICE_FIELDS).get(pk=state.lottery_id)


def public_page(
    state: PublicState, *, page: str | None = None, query: str | None = None
) -> tuple[bytes, str]:
    """The public notice page (of a published lottery, its table stored) and its ETag. Like
    the PDF it is a document, in Chinese whatever the reader's language, with nothing personal
    to the reader: its frame (all but the result table) is rendered once for each state of
    what it shows and each page of its table once too, cut from the stored table, both then
    taken from the cache: an anonymous reader of a page costs one query, one read of the cache
    and no rendering. A search is never cached (what is searched has no bound): it costs the
    lottery's row, one query more and the rendering of the few rows it finds."""
    key, query = state.key, search_text(query)
    asked = page_number(page, sys.maxsize)
    with translation.override(settings.LANGUAGE_CODE):
        frame_key = f"lottery-notice-frame:{key}"
        cached = cache.get_many([frame_key, f"lottery-notice-rows:{key}:{asked}"])
        frame = cached.get(frame_key)
        lottery = lines = None
        if frame is None:
            lottery = _notice_lottery(state)
            documents = notice_documents(lottery)
            lines = stored_row_lines(documents[DocumentKind.LOTTERY_NOTICE_ROWS])
            context = {
                **notice_context(lottery),
                "rows_section": mark_safe(_SECTION),  # noqa: S308 (a constant comment)
                "notice_pdf": documents.get(DocumentKind.LOTTERY_NOTICE_PDF),
            }
            parts = render_to_string("lottery/notice_public.html", context).split(_SECTION)
            frame = (parts[0].encode(), parts[1].encode(), len(lines))
            cache.set(frame_key, frame, PUBLIC_PAGE_CACHE_SECONDS)
        head, tail, count = frame
        pages = page_count(count)
        section: bytes | None
        if query:
            lottery = lottery or _notice_lottery(state)
            section = search_section(lottery, query, pages).encode()
            etag = hashlib.sha256(f"{key}|q|{query}".encode()).hexdigest()
        else:
            number = min(asked, pages)
            rows_key = f"lottery-notice-rows:{key}:{number}"
            section = cached.get(rows_key) if number == asked else cache.get(rows_key)
            if section is None:
                lottery = lottery or _notice_lottery(state)
                if lines is None:
                    rows = notice_documents(lottery)[DocumentKind.LOTTERY_NOTICE_ROWS]
                    lines = stored_row_lines(rows)
                section = page_section(lottery, lines, number).encode()
                cache.set(rows_key, section, PUBLIC_PAGE_CACHE_SECONDS)
            etag = f"{key}-{number}"
    return head + section + tail, f'"{etag}"'


def preview_section(lottery: Lottery, *, page: str | None, query: str | None) -> str:
    """The result table of the staff's preview, paged and searched as the public one, read
    from the database (until publication the notice is not stored)."""
    pages = page_count(lottery.results.count())
    query = search_text(query)
    if query:
        return search_section(lottery, query, pages)
    number = page_number(page, pages)
    start = (number - 1) * NOTICE_PAGE_ROWS
    results = lottery.results.order_by("sequence")[start : start + NOTICE_PAGE_ROWS]
    return rows_section(
        lottery,
        rows_html=notice_rows_html(lottery, notice_rows(lottery, results)),
        query="",
        number=number,
        pages=pages,
    )


def notice_pdf_current(lottery: Lottery, document: StoredDocument | None) -> bool:
    """Whether this stored PDF says all the notice says now: a PDF stored before the lottery
    was replaced by a re-draw lacks the banner that names the re-draw."""
    if document is None:
        return False
    replaced_by = getattr(lottery, "replaced_by", None)
    return replaced_by is None or document.created_at >= replaced_by.created_at


def notice_pdf_store(lottery: Lottery, *, by: User | None = None) -> StoredDocument | None:
    """Render and store the notice PDF of a published lottery unless the stored one is current
    (so a task enqueued twice renders once). None if the lottery is not published.

    Rendering takes seconds, and a re-draw may replace the lottery meanwhile: the PDF is stored
    under the lottery's row lock (which a re-draw takes too) only if no re-draw appeared since
    it was rendered; otherwise it is rendered again, now with the banner. So a PDF stored
    before a re-draw is always older than it, and the re-draw's own task renders anew."""
    if lottery.status != LotteryStatus.PUBLISHED:
        return None
    latest = document_latest(lottery, DocumentKind.LOTTERY_NOTICE_PDF)
    if notice_pdf_current(lottery, latest):
        return latest
    while True:
        rendered_for = _replaced_by_id(lottery)
        content = notice_pdf(lottery)
        with transaction.atomic():
            Lottery.objects.select_for_update().only("pk").get(pk=lottery.pk)
            if Lottery.objects.filter(replaces=lottery).values_list("pk").first() == (
                (rendered_for,) if rendered_for else None
            ):
                return document_store(
                    subject=lottery,
                    kind=DocumentKind.LOTTERY_NOTICE_PDF,
                    content=content,
                    media_type=PDF,
                    by=by,
                )
        lottery = Lottery.objects.select_related("project", "replaces", "replaced_by").get(
            pk=lottery.pk
        )


def _replaced_by_id(lottery: Lottery) -> int | None:
    replaced_by = getattr(lottery, "replaced_by", None)
    return replaced_by.pk if replaced_by else None
