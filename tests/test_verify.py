"""/verify/<code>/ answers anyone, without login, for a valid, a superseded and a voided
document, and 404 with the same page for an unknown code; only the head's masked name, never
an ID number or phone; not cached; rate-limited per client address (429)."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from resettlement.archive.models import IssuedKind, IssuedStatus
from resettlement.handover.documents import paper_register
from resettlement.housing.models import Flat
from resettlement.masking import mask_name
from resettlement.selection.confirmation import selection_swap, selection_void
from tests.handover_fixtures import allocated_project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def registered(world, personas):
    """(household, its selection, the selection's registered 选房确认书)."""
    _project, _buildings, people = allocated_project(world, by=personas["clerk"])
    household = people[0]
    household.phone = "13812345678"
    household.save()
    selection = household.selections.get()
    return household, selection, paper_register(IssuedKind.SELECTION_CONFIRMATION, selection)


def verify(code: str, client: Client | None = None, **headers):
    return (client or Client()).get(reverse("archive:verify", args=[code]), **headers)


def facts(html: str) -> dict[str, str]:
    """The page's terms and their values, as a reader sees them."""
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html, re.S)
    return {term: re.sub(r"<[^>]+>", "", value).strip() for term, value in pairs}


def test_a_valid_document_is_shown_with_the_masked_name_only(registered):
    household, _selection, document = registered
    response = verify(document.code)
    assert response.status_code == 200
    html = response.content.decode()
    shown = facts(html)
    assert shown == {
        "文书": "选房确认书",
        "文书编号": document.number,
        "出具日期": timezone.localdate(document.issued_at).isoformat(),
        "项目": document.project.name,
        "房源": "5-1-101",
        "户主": mask_name(household.head_name),
        "状态": "有效",
    }
    assert "本文书有效" in html
    assert household.head_name not in html and household.agreement_no not in html
    assert household.head_id_number not in html and household.head_id_number[-4:] not in html
    assert household.phone not in html and household.phone[-4:] not in html
    assert "no-store" in response["Cache-Control"]
    assert "Content-Security-Policy" in response
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "no inline script"
    assert 'style="' not in html


def test_a_superseded_document_names_the_newer_one(registered, personas):
    _household, selection, document = registered
    new = selection_swap(
        selection=selection,
        flats=[Flat.objects.get(building__project=selection.household.project, code="5-1-301")],
        reason="老人腿脚不便，换房",
        by=personas["supervisor"],
    )
    document.refresh_from_db()
    newer = paper_register(IssuedKind.SELECTION_CONFIRMATION, new)
    assert document.status == IssuedStatus.SUPERSEDED and document.superseded_by == newer
    assert newer.number != document.number and newer.flat_codes == "5-1-301"

    response = verify(document.code)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"本文书已被新文书取代，新文书编号 {newer.number}。" in html
    assert facts(html)["状态"] == "已被取代"
    assert facts(verify(newer.code).content.decode())["状态"] == "有效"


def test_a_voided_selection_voids_its_confirmation_and_the_page_gives_the_date(
    registered, personas
):
    _household, selection, document = registered
    selection_void(selection=selection, reason="户主申请重新选房", by=personas["supervisor"])
    document.refresh_from_db()
    assert document.status == IssuedStatus.VOIDED and document.voided_at is not None
    response = verify(document.code)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"本文书已于 {timezone.localdate(document.voided_at).isoformat()} 作废" in html
    assert facts(html)["状态"] == "已作废"
    assert "户主申请重新选房" not in html, "the reason is not public"


def test_undoing_a_handover_voids_its_papers_and_the_next_print_is_a_new_number(world, personas):
    from resettlement.handover.documents import handover_papers
    from resettlement.handover.services import handover_undo
    from tests.handover_fixtures import handover_day
    from tests.test_handover_documents import handed

    batch, people = handover_day(world)
    handover = handed(batch, people[0], by=personas["clerk"])
    confirmation, receipt = (
        paper_register(kind, handover)
        for kind in (IssuedKind.HANDOVER_CONFIRMATION, IssuedKind.KEY_RECEIPT)
    )
    handover_undo(handover=handover, reason="钥匙错发", by=personas["supervisor"])
    for document in (confirmation, receipt):
        html = verify(document.code).content.decode()
        assert facts(html)["状态"] == "已作废" and "钥匙错发" not in html
    again = handed(batch, people[0], by=personas["clerk"])
    renewed = handover_papers(again)
    assert {d.number for d in renewed}.isdisjoint({confirmation.number, receipt.number})
    assert all(facts(verify(d.code).content.decode())["状态"] == "有效" for d in renewed)


@pytest.mark.parametrize("code", ["A" * 20, "not-a-code", "x" * 200])
def test_an_unknown_code_gets_404_with_the_same_page_and_one_query(registered, code):
    _household, _selection, document = registered
    with CaptureQueriesContext(connection) as known_queries:
        known = verify(document.code)
    with CaptureQueriesContext(connection) as unknown_queries:
        unknown = verify(code)
    assert unknown.status_code == 404
    assert len(unknown_queries) == len(known_queries) == 1, "one indexed query either way"
    assert list(facts(unknown.content.decode())) == list(facts(known.content.decode()))
    assert set(facts(unknown.content.decode()).values()) == {"—", "验证码无效"}
    assert "没有与此验证码对应的文书" in unknown.content.decode()
    assert "no-store" in unknown["Cache-Control"]


def test_each_client_address_is_limited_then_answered_429(registered, settings):
    _household, _selection, document = registered
    settings.VERIFY_RATE_PER_MINUTE = 3
    client = Client(REMOTE_ADDR="203.0.113.7")
    answers = [verify(document.code, client).status_code for _ in range(3)]
    answers.append(verify("unknown-code-guess", client).status_code)
    assert answers == [200, 200, 200, 429]
    limited = verify(document.code, client)
    assert limited.status_code == 429 and limited["Retry-After"] == "60"
    html = limited.content.decode()
    assert "请求过于频繁" in html and document.number not in html
    other = Client(REMOTE_ADDR="198.51.100.4")
    assert verify(document.code, other).status_code == 200


def test_behind_a_proxy_each_client_is_limited_by_the_address_the_proxy_saw(registered, settings):
    _household, _selection, document = registered
    settings.VERIFY_RATE_PER_MINUTE = 2
    settings.TRUSTED_PROXY_HOPS = 1
    proxy = "10.0.0.2"  # every request arrives from the proxy
    first = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert [verify(document.code, first).status_code for _ in range(3)] == [200, 200, 429]
    # a client cannot pass for another by sending its own X-Forwarded-For first
    spoofing = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9")
    assert verify(document.code, spoofing).status_code == 429
    other = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.20")
    assert verify(document.code, other).status_code == 200
    # without trusted proxies the header is ignored: the address is the connection's
    settings.TRUSTED_PROXY_HOPS = 0
    direct = Client(REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR="203.0.113.77")
    assert [verify(document.code, direct).status_code for _ in range(3)] == [200, 200, 429]
    assert verify(document.code, Client(REMOTE_ADDR="192.0.2.51")).status_code == 200


def test_the_page_needs_no_login_and_takes_no_post(registered):
    _household, _selection, document = registered
    response = Client().post(reverse("archive:verify", args=[document.code]))
    assert response.status_code == 405


def test_a_code_has_no_letter_that_reads_as_another_and_may_be_typed_in_lower_case(registered):
    _household, _selection, document = registered
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{24}", document.code)  # no I, L, O or U
    assert verify(document.code.lower()).status_code == 200
