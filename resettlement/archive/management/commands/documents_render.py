"""Render and store the documents that should be stored and are not: for lotteries frozen,
drawn or published before documents were stored, a notice whose PDF is missing or predates a
re-draw, closed selection days, and confirmations printed before (their bytes are kept)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from resettlement.archive.models import DocumentKind, StoredDocument
from resettlement.lottery import notice
from resettlement.lottery.files import published_file_names
from resettlement.lottery.models import Lottery, LotteryStatus
from resettlement.selection.documents import (
    confirmation_document,
    confirmation_kind,
    summary_document,
)
from resettlement.selection.models import EventStatus, Selection, SelectionEvent


class Command(BaseCommand):
    help = (
        "Render and store every public or repeated document that is not stored yet (lottery "
        "files, notice table and PDF, closed days' summaries; confirmations printed before are "
        "kept as printed). Safe to run again: what is stored is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--lottery", type=int, action="append", help="only this lottery (id; repeatable)"
        )
        parser.add_argument(
            "--confirmations",
            action="store_true",
            help="also render every selection's missing confirmation (otherwise each is "
            "rendered right after it is confirmed, or at its first print)",
        )

    def handle(self, *args, lottery, confirmations, **options):
        self.stored = 0
        lotteries = Lottery.objects.filter(frozen_at__isnull=False).select_related(
            "project", "replaces", "replaced_by"
        )
        if lottery:
            lotteries = lotteries.filter(pk__in=lottery)
        for item in lotteries.order_by("pk"):
            self._lottery(item)
        if not lottery:
            closed = SelectionEvent.objects.filter(status=EventStatus.CLOSED)
            for event in closed.select_related("project").order_by("pk"):
                self._stored(event, lambda event=event: summary_document(event))
            selections = Selection.objects.select_related(
                "household__project", "household__village", "event", "desk"
            ).order_by("pk")
            if not confirmations:
                selections = selections.exclude(confirmation_pdf="")
            for selection in selections:
                self._selection(selection, render_all=confirmations)
        self.stdout.write(
            self.style.SUCCESS(_("%(count)s documents stored.") % {"count": self.stored})
        )

    def _lottery(self, lottery: Lottery) -> None:
        for name in notice.FILE_KINDS:
            if name in published_file_names(lottery):
                self._stored(lottery, lambda name=name: notice.file_document(lottery, name))
        if lottery.status == LotteryStatus.PUBLISHED:
            self._stored(lottery, lambda: notice.notice_rows_store(lottery))
            self._stored(lottery, lambda: notice.notice_pdf_store(lottery))

    def _selection(self, selection: Selection, *, render_all: bool) -> None:
        if selection.confirmation_pdf or render_all:
            self._stored(
                selection,
                lambda: confirmation_document(selection, kind=DocumentKind.SELECTION_CONFIRMATION),
            )
        if render_all and confirmation_kind(selection) == DocumentKind.SELECTION_VOIDED:
            self._stored(selection, lambda: confirmation_document(selection))

    def _stored(self, subject, store) -> None:
        before = StoredDocument.objects.of(subject).count()
        document = store()
        if document is None or StoredDocument.objects.of(subject).count() == before:
            return
        self.stored += 1
        self.stdout.write(
            f"{subject._meta.verbose_name} {subject.pk} ({subject}): "
            f"{document.get_kind_display()}, {document.size:,} bytes, "
            f"SHA-256 {document.sha256}"
        )
