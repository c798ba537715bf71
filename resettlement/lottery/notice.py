"""The public notice (公示) of a lottery, rendered once and stored: roster.csv and pools.csv when
the roster is frozen, result.csv when it is drawn, the notice's result table when it is
published, and the notice PDF right after (a background task: thousands of rows take seconds).
A reader, logged in or not, gets the stored bytes; nothing here runs on their request."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.templatetags.static import static
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
from resettlement.lottery.files import published_file, published_file_names
from resettlement.lottery.models import Lottery, LotteryMode, LotteryStatus
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


def notice_rows(lottery: Lottery) -> list[dict]:
    results = lottery.results.select_related("entry__household", "flat").order_by("sequence")
    return [
        {
            "sequence": result.sequence,
            "group": result.entry.group,
            "agreement_no": result.entry.agreement_no,
            "name": mask_name(result.entry.household.head_name),
            "flat": result.flat.code if result.flat else "",
        }
        for result in results
    ]


def notice_context(lottery: Lottery) -> dict:
    """What the notice shows besides its result table."""
    return {
        "lottery": lottery,
        "project": lottery.project,
        "witnesses": lottery.witnesses.all(),
        "replaced_by": getattr(lottery, "replaced_by", None),
        "printed_at": timezone.localtime(),
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
    context = {**notice_context(lottery), "blocks": row_blocks(notice_rows(lottery))}
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


def public_page(
    lottery: Lottery, *, rows: StoredDocument, pdf: StoredDocument | None
) -> tuple[bytes, str]:
    """The public notice page and its ETag. Like the PDF it is a document, in Chinese whatever
    the reader's language, with no form and nothing personal to the reader: rendered once for
    each state of what it shows (its stored table, its PDF, a re-draw replacing it, the
    deployed style sheet) and then taken from the cache, so an anonymous reader costs two
    queries and no rendering."""
    replaced_by = getattr(lottery, "replaced_by", None)
    state = (
        str(lottery.public_token),  # random per lottery, never reused (unlike a primary key)
        rows.sha256,
        pdf.sha256 if pdf else "",
        replaced_by.pk if replaced_by else "",
        static("resettlement/css/app.css"),
    )
    key = hashlib.sha256(repr(state).encode()).hexdigest()
    page = cache.get(f"lottery-notice-page:{key}")
    if page is None:
        context = {
            **notice_context(lottery),
            "rows_html": stored_rows_html(rows),
            "notice_pdf": pdf,
        }
        with translation.override(settings.LANGUAGE_CODE):
            page = render_to_string("lottery/notice_public.html", context).encode()
        cache.set(f"lottery-notice-page:{key}", page, PUBLIC_PAGE_CACHE_SECONDS)
    return page, f'"{key}"'


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
