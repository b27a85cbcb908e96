"""The interface shell: Chinese pages, error pages, the htmx fragment, the unit switcher."""

from __future__ import annotations

import pytest
from django.http import HttpRequest
from django.test import Client, override_settings
from django.urls import path, reverse

from taizhang import urls as project_urls
from taizhang.ledger.models import Meeting


def _boom(request: HttpRequest) -> None:
    raise RuntimeError("boom")


urlpatterns = [*project_urls.urlpatterns, path("boom/", _boom)]


@override_settings(ROOT_URLCONF="tests.test_shell", DEBUG=False)
def test_server_error_page_is_chinese(cast):
    client = Client(raise_request_exception=False)
    client.force_login(cast.clerk)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "系统出错" in response.content.decode()


def test_forbidden_and_missing_pages_are_chinese(cast, client):
    client.force_login(cast.member)
    forbidden = client.get(reverse("ledger:meeting_create"))
    assert forbidden.status_code == 403 and "无权访问" in forbidden.content.decode()
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "页面不存在" in missing.content.decode()


def test_list_filter_answers_htmx_with_the_table_only(cast, client):
    client.force_login(cast.clerk)
    url = reverse("ledger:meeting_list")
    full = client.get(url, {"kind": "analysis"})
    fragment = client.get(url, {"kind": "analysis"}, HTTP_HX_REQUEST="true")
    assert "<html" in full.content.decode() and "<html" not in fragment.content.decode()
    body = fragment.content.decode()
    assert body.count("分析研判会议") >= 3 and "党课" not in body


def test_list_paging_sorting_and_search(cast, client):
    client.force_login(cast.clerk)
    url = reverse("ledger:meeting_list")
    page = client.get(url, {"q": "党课"}, HTTP_HX_REQUEST="true").content.decode()
    assert "书记讲专题党课" in page and "分析研判" not in page
    total = Meeting.objects.filter(unit=cast.units["demo-dist"]).count()
    ordered = client.get(url, {"sort": "title"}, HTTP_HX_REQUEST="true").content.decode()
    assert f"共 {total} 条" in ordered


@pytest.mark.parametrize(
    ("name", "limit"), [("dashboard", 50), ("ledger:index", 22), ("system_index", 10), ("rules:grid", 25)]
)
def test_pages_query_counts_stay_small(cast, client, django_assert_max_num_queries, name, limit):
    client.force_login(cast.clerk)
    client.get(reverse(name))
    with django_assert_max_num_queries(limit):
        assert client.get(reverse(name)).status_code == 200


# the meeting list's queries with more rows: tests/test_ledgers.py test_list_queries_do_not_grow_with_rows


def test_switching_to_a_unit_without_a_role_is_refused(cast, client):
    client.force_login(cast.clerk)
    branch = cast.units["demo-dist-branch"]
    response = client.post(reverse("switch_unit"), {"unit": branch.pk, "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == "/"  # no open redirect
    assert "区气象局党支部" in client.get(reverse("dashboard")).content.decode()
