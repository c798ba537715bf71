"""Words that mean two things in English are translated for what they mean where they stand:
the day summary's void count, a selection day's or lottery's name, a household's history of
changes, a member's name, the geodata import form, the admin's model names."""

import re

import pytest
from django.contrib import admin
from django.utils import translation

from tests.page_text import visible_text
from tests.site_pages import page_urls, site_build

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def urls(world, personas):
    return page_urls(site_build(world, personas))


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_day_summary_counts_voided_selections(urls, login):
    html = page(login("supervisor"), urls["selection:summary"])
    label = re.search(r'id="voided">\d+</div><div class="label">([^<]+)<', html)
    assert label and label.group(1) == "作废数"


def test_a_selection_days_and_a_lotterys_name_is_a_name_of_a_thing(urls, login):
    client = login("supervisor")
    for name in ("selection:events", "lottery:list"):
        header = re.search(r"<thead><tr><th>([^<]+)</th>", page(client, urls[name]))
        assert header and header.group(1) == "名称", name


def test_a_households_members_have_a_persons_name_and_its_history_says_created(urls, login):
    text = visible_text(page(login("supervisor"), urls["households:detail"]))
    assert "姓名" in text
    assert "已创建" in text
    assert "创建时间" not in text


def test_the_lottery_list_dates_its_lotteries(urls, login):
    assert "创建时间" in visible_text(page(login("supervisor"), urls["lottery:list"]))


def test_the_geodata_import_form_is_in_chinese(urls, login):
    text = visible_text(page(login("team"), urls["maps:geometry"]))
    for label in ("GIS 文件", "图层", "坐标系", "编号字段", "匹配到"):
        assert label in text
    for english in ("Layer", "Coordinate system", "Code field", "Match to", "whichever"):
        assert english not in text


def test_every_model_in_the_admin_has_a_chinese_name():
    with translation.override("zh-hans"):
        names = {
            model.__name__: (str(model._meta.verbose_name), str(model._meta.verbose_name_plural))
            for model in admin.site._registry
        }
    english = {model: pair for model, pair in names.items() if not all(map(CJK.search, pair))}
    assert not english


def test_the_admin_index_names_every_model_in_chinese(login):
    text = visible_text(page(login("admin"), "/admin/"))
    for english in ("Lottery results", "Flat holds", "Selection logs", "Model name"):
        assert english not in text
    assert "摇号结果" in text
    assert "房源锁定" in text
    assert "选房操作记录" in text
