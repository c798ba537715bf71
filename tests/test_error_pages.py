"""Refusals and errors are pages of the site, in Chinese, with the way back to the start page:
403 (a view refusing a role), 404, 405 (a page's form address typed in), 400 and 500 (which
shows no detail and renders without a request or the database). The API keeps answering JSON."""

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

HOME = 'id="error-home" href="/"'


def assert_error_page(response, status: int, title: str) -> str:
    body = response.content.decode()
    assert response.status_code == status, body[:300]
    assert response["Content-Type"].startswith("text/html"), response["Content-Type"]
    assert title in body
    assert f"({status})" in body
    assert 'class="topbar"' in body  # the site's layout
    assert 'href="/"' in body  # the way back
    return body


def test_a_role_refused_a_page_gets_the_sites_403_page(login, world):
    client = login("outsider")
    url = reverse("households:search")
    body = assert_error_page(client.get(url), 403, "没有权限")
    assert "Forbidden" not in body
    assert HOME in body
    assert 'class="nav"' in body  # the signed-in user's navigation stays


def test_a_missing_page_gets_the_sites_404_page(login):
    body = assert_error_page(login("admin").get("/no-such-page/"), 404, "页面不存在")
    assert "Not Found" not in body
    assert HOME in body


def test_an_anonymous_visitor_gets_the_404_page_too():
    body = assert_error_page(Client().get("/lottery/notice/no-such-token/"), 404, "页面不存在")
    assert HOME in body


def test_a_form_address_opened_by_typing_it_gets_the_405_page(login, world):
    response = login("admin").get(reverse("logout"))
    body = assert_error_page(response, 405, "无法以此方式访问")
    assert "POST" in response["Allow"]
    assert HOME in body


def test_a_refused_address_gets_the_400_page():
    body = assert_error_page(Client().get("/households/?q=%00"), 400, "请求无效")
    assert "NUL" in body  # what was wrong with it


@pytest.mark.urls("tests.error_urls")
def test_a_server_error_shows_the_500_page_without_detail(login):
    client = login("admin")
    client.raise_request_exception = False
    body = assert_error_page(client.get("/fail/"), 500, "服务器错误")
    assert "hunter2" not in body
    assert "RuntimeError" not in body
    assert "Traceback" not in body


def test_the_500_page_renders_without_a_request_or_the_database(django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        html = render_to_string("500.html")
    assert "服务器错误" in html
    assert 'href="/"' in html


def test_the_api_keeps_answering_json():
    for url in ("/api/v1/projects/", "/api/v1/projects/PA/"):
        response = Client().get(url)
        assert response.status_code in (401, 403), url
        assert response["Content-Type"].startswith("application/json"), url


def test_a_role_refused_in_the_api_gets_json(api, world):
    response = api("outsider").get(f"/api/v1/projects/{world.project_a.code}/")
    assert response.status_code in (403, 404)
    assert response["Content-Type"].startswith("application/json")
