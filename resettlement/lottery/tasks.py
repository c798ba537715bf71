"""Background work of the lottery: rendering the notice PDF once it is published (or re-drawn)."""

from django.db import transaction
from django_tasks import task

from resettlement.lottery import notice
from resettlement.lottery.models import Lottery


@task()
def lottery_notice_render(lottery_id: int) -> str:
    """Render and store the notice PDF of a published lottery; its SHA-256 ("" if the lottery
    is not published)."""
    lottery = Lottery.objects.select_related("project", "replaces", "replaced_by").get(
        pk=lottery_id
    )
    document = notice.notice_pdf_store(lottery)
    return document.sha256 if document is not None else ""


def notice_render_when_committed(lottery: Lottery) -> None:
    """Enqueue the notice PDF once the transaction commits. If the queue cannot be reached, the
    error is logged and publication stands: `manage.py documents_render` renders what is missing,
    and readers are told the PDF is being prepared meanwhile."""
    transaction.on_commit(lambda: lottery_notice_render.enqueue(lottery.pk), robust=True)
