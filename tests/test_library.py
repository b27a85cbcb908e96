"""Search finds exactly what a LIKE scan finds, within what the reader may see; the index follows
every write and a rebuild changes nothing."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from taizhang.core.services import record_create, record_delete, record_restore
from taizhang.library import search
from taizhang.library.models import Material, SearchEntry, SelfStudy

pytestmark = pytest.mark.django_db


def _ids(results):
    return {(h.kind, h.id) for h in results.hits}


def _like(user, words):
    qs = search.visible(user)
    for w in words:
        qs = qs.filter(text__icontains=w)
    return set(qs.values_list("kind", "object_id"))


def _queries(seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    texts = [t for t in SearchEntry.objects.values_list("text", flat=True) if len(t) > 12]
    out = []
    for length in (1, 2, 3, 4, 6):
        for _ in range(6):
            t = rng.choice(texts)
            start = rng.randrange(0, len(t) - length)
            piece = t[start : start + length].strip()
            if piece and not any(c.isspace() for c in piece):
                out.append(piece)
    return [*out, "长征 遵义", "学习 意识形态", "GB/T", "9704", "红军"]


def test_every_query_finds_exactly_the_like_set(cast):
    assert SearchEntry.objects.count() > 50
    for user in (cast.clerk, cast.inspector, None):
        for q in _queries():
            found = search.search(q, user=user, limit=100_000)
            expected = _like(user, search.words_of(q))
            assert found.total == len(expected), q
            assert _ids(found) == expected, q


def test_filters_give_the_like_set_within_them(cast):
    dist = cast.units["demo-dist"]
    year = date.today().year - 1  # the demo's full year
    for q in ("学习", "会", "意识形态"):
        expected = _like(cast.inspector, [q])
        in_kind = search.search(q, user=cast.inspector, kind="meeting", limit=100_000)
        assert _ids(in_kind) == {k for k in expected if k[0] == "meeting"}
        in_unit = search.search(q, user=cast.inspector, unit=dist, limit=100_000)
        in_dist = set(
            search.visible(cast.inspector).filter(path__startswith=dist.path).values_list("kind", "object_id")
        )
        assert _ids(in_unit) == expected & in_dist
        in_year = search.search(q, user=cast.inspector, year=year, limit=100_000)
        of_year = set(SearchEntry.objects.filter(day__year=year).values_list("kind", "object_id"))
        assert _ids(in_year) == expected & of_year and in_year.total > 0


def test_pages_follow_one_order_title_tiers_then_newest(cast):
    everything = search.search("工作", user=cast.inspector, limit=100_000).hits
    assert len(everything) > 25 and {h.score for h in everything} == {1, 3}
    keys = [(h.score, h.day or date.min) for h in everything]
    assert keys == sorted(keys, reverse=True)  # tier first, then date, newest first
    paged = []
    for offset in range(0, len(everything), 7):
        paged += search.search("工作", user=cast.inspector, limit=7, offset=offset).hits
    assert [(h.kind, h.id) for h in paged] == [(h.kind, h.id) for h in everything]


def test_words_the_index_cannot_answer_alone_are_checked_in_the_text(cast):
    for q in ("GB/T", "《关于", "9704—2012", "、"):
        assert _ids(search.search(q, user=cast.clerk, limit=100_000)) == _like(cast.clerk, [q]), q


def test_a_moved_unit_takes_its_entries_along(cast):
    from taizhang.core.services import record_create
    from taizhang.orgs.services import unit_update

    east = cast.units["demo-east"]
    record_create(
        acting_user=cast.outsider,
        instance=Material(
            unit=east, title="东区气象灾害防御科普读本", kind="book", body="台风暴雨防御常识", shared=False
        ),
    )
    q = "防御科普"
    assert any(h.unit == "demo-east" for h in search.search(q, user=cast.inspector, limit=10_000).hits)
    unit_update(acting_user=cast.sysadmin, unit=east, parent=cast.units["demo-prov"])
    east.refresh_from_db()
    assert set(SearchEntry.objects.filter(unit=east).values_list("path", flat=True)) == {east.path}
    hits = search.search(q, user=cast.inspector, limit=10_000).hits
    assert not any(h.unit == "demo-east" for h in hits)  # the city no longer reads it
    assert _ids(search.search(q, user=cast.inspector, limit=10_000)) == _like(cast.inspector, [q])
    assert any(h.unit == "demo-east" for h in search.search(q, user=cast.outsider, limit=10_000).hits)


def test_nothing_crosses_units_and_shared_materials_reach_down(cast):
    assert search.search("长征", user=cast.clerk).total >= 1
    assert search.search("长征", user=cast.outsider).total == 0  # a sibling bureau
    assert search.search("长征", user=cast.inspector).total >= 1  # the city above reads down
    meeting_words = search.search("会议", user=cast.clerk).total
    assert meeting_words > 0 and search.search("会议", user=cast.outsider).total < meeting_words
    for hit in search.search("会议", user=cast.outsider, limit=1000).hits:
        assert hit.unit != "demo-dist"


def test_deleting_a_material_leaves_the_index_and_restoring_returns_it(cast):
    material = Material.objects.get(title="红军长征的历程")
    assert ("material", material.pk) in _ids(search.search("泸定桥", user=cast.clerk))
    record_delete(acting_user=cast.clerk, instance=material)
    assert search.search("泸定桥", user=cast.clerk).total == 0
    record_restore(acting_user=cast.secretary, instance=material)
    assert ("material", material.pk) in _ids(search.search("泸定桥", user=cast.clerk))


def test_rebuild_gives_the_same_results(cast):
    queries = _queries(9)

    def answers():
        return {
            q: [(h.kind, h.id) for h in search.search(q, user=cast.clerk, limit=1000).hits] for q in queries
        }

    before = answers()
    assert search.rebuild() == SearchEntry.objects.count()
    assert answers() == before


def test_results_are_ranked_by_title_then_highlighted(cast):
    results = search.search("长征", user=cast.clerk)
    assert results.hits[0].title == "红军长征的历程"
    assert "<mark>长征</mark>" in results.hits[0].snippet


def test_search_page_and_fragment(cast, client):
    client.force_login(cast.member)
    page = client.get(reverse("library:search"), {"q": "遵义"}).content.decode()
    assert "红军长征的历程" in page and "<mark>遵义</mark>" in page
    fragment = client.get(reverse("library:search"), {"q": "遵义"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "红军长征的历程" in fragment


def test_command_line_search_as_a_person(cast, capsys):
    from taizhang.cli import main

    assert main(["search", "长征", "--as", "clerk", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"results"}
    assert data["results"][0]["unit"] == "demo-dist" and set(data["results"][0]) == {
        "kind",
        "id",
        "title",
        "unit",
        "snippet",
        "score",
    }
    assert main(["search", "长征", "--as", "outsider", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["results"] == []
    assert main(["search", "长征", "--as", "nobody"]) == 1


def test_study_hours_per_person_and_plan_items(cast, client):
    from decimal import Decimal

    from taizhang.core.services import record_create
    from taizhang.ledger import models as lm
    from taizhang.ledger.models.meetings import STUDY_KINDS
    from taizhang.library import studies
    from taizhang.library.models import SelfStudy

    unit = cast.units["demo-dist"]
    year = lm.Meeting.objects.filter(unit=unit).order_by("-held_at").first().held_at.year
    sessions = lm.Meeting.objects.filter(
        unit=unit, kind__in=list(STUDY_KINDS), held_at__year=year, attendees=cast.member
    )
    before = next(r for r in studies.year_hours(unit, year, user=cast.clerk) if r.person == cast.member)
    assert before.sessions == sessions.count()
    assert before.session_hours == sum((m.hours or Decimal(0) for m in sessions), start=Decimal(0))
    # logging 90 minutes of personal study adds 1.5 hours to the member, and to the unit
    material = Material.objects.get(title="红军长征的历程")
    record_create(
        acting_user=cast.clerk,
        instance=SelfStudy(
            unit=unit,
            person=cast.member,
            material=material,
            studied_on=sessions.first().held_at.date(),
            minutes=90,
        ),
    )
    after = next(r for r in studies.year_hours(unit, year, user=cast.clerk) if r.person == cast.member)
    assert after.hours == before.hours + Decimal("1.5") and material.pk in after.materials
    items = studies.plan_items(unit, year, user=cast.clerk)
    assert items and all(0 <= row.studied_by <= row.members for row in items)
    assert any(row.studied_by > 0 for row in items)
    client.force_login(cast.member)
    page = client.get(reverse("library:hours"), {"year": year}).content.decode()
    assert "学习计划落实情况" in page and str(cast.member) in page


def test_a_member_logs_their_own_study_and_nobody_elses(cast, client):
    from taizhang.core.models import AuditEntry

    material = Material.objects.get(title="红军长征的历程")
    client.force_login(cast.member)
    url = reverse("library:selfstudy_create")
    page = client.get(url, {"material": material.pk}).content.decode()
    assert "红军长征的历程" in page and "《党政机关公文处理工作条例》要点" in page  # the city's, shared down
    data = {"material": material.pk, "studied_on": "2025-05-06", "hours": "0.75", "note": ""}
    before = SelfStudy.objects.count()
    bad = client.post(url, {**data, "person": cast.secretary.pk})
    assert bad.status_code == 200 and SelfStudy.objects.count() == before  # only oneself to choose
    response = client.post(url, {**data, "person": cast.member.pk})
    study = SelfStudy.objects.latest("pk")
    assert response.status_code == 302 and study.person == cast.member and study.created_by == cast.member
    assert AuditEntry.objects.filter(object_type="library.SelfStudy", object_id=str(study.pk)).exists()
    assert client.get(reverse("library:selfstudy_edit", args=[study.pk])).status_code == 200
    with pytest.raises(PermissionDenied):
        record_create(
            acting_user=cast.member,
            instance=SelfStudy(
                unit=study.unit, person=cast.secretary, studied_on=date(2025, 5, 6), minutes=30, note="代学"
            ),
        )


def test_recommendations_follow_the_plan_and_what_the_member_has_read(cast, client):
    from taizhang.ledger import models as lm
    from taizhang.library import studies

    unit, today = cast.units["demo-dist"], date.today()
    plan = record_create(
        acting_user=cast.clerk,
        instance=lm.StudyPlan(unit=unit, year=today.year, scope="staff", title="本年度干部职工学习计划"),
    )
    item = record_create(
        acting_user=cast.clerk, instance=lm.StudyPlanItem(unit=unit, plan=plan, month=1, topic="党内法规")
    )
    planned = Material.objects.get(title="《中国共产党纪律处分条例》修订情况")  # the city's, shared down
    planned.plan_items.add(item)

    first = studies.recommend(cast.member, unit, user=cast.member, today=today)
    assert first[0].material == planned and "学习计划" in first[0].reason
    later = [r.material for r in first[1:]]
    assert later and all(
        m.pk not in studies.studied_materials(cast.member, unit, user=cast.member) for m in later
    )

    client.force_login(cast.member)
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "推荐学习资料" in dashboard and planned.title in dashboard

    record_create(
        acting_user=cast.member,
        instance=SelfStudy(unit=unit, person=cast.member, material=planned, studied_on=today, minutes=45),
    )
    record_create(
        acting_user=cast.member,
        instance=SelfStudy(unit=unit, person=cast.member, material=later[0], studied_on=today, minutes=30),
    )
    after = [r.material for r in studies.recommend(cast.member, unit, user=cast.member, today=today)]
    assert planned not in after and later[0] not in after and after != [r.material for r in first]
    # another person's list is untouched by the member's study
    assert planned in [r.material for r in studies.recommend(cast.clerk, unit, user=cast.clerk, today=today)]


def _docx(lines: list[str]) -> bytes:
    import io

    from docx import Document

    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_materials_import_from_word_text_and_markdown_all_or_none(cast, client):
    from taizhang.core.models import Attachment

    client.force_login(cast.clerk)
    url = reverse("library:material_files")
    files = [
        _upload(
            "zunyi.docx", _docx(["遵义会议纪念馆参观记", "1935年1月，中共中央政治局在贵州遵义召开扩大会议。"])
        ),
        _upload("note.txt", "古田会议学习笔记\n思想建党、政治建军。\n".encode("gb18030")),
        _upload("story.md", "# 红旗渠的故事\n\n林县人民在太行山腰修渠。\n".encode()),
    ]
    before = Material.objects.count()
    bad = client.post(
        url, {"files": [*files, _upload("fake.pdf", b"MZ\x90\x00 not a pdf")], "kind": "red_story"}
    )
    page = bad.content.decode()
    assert bad.status_code == 400 and "fake.pdf" in page and Material.objects.count() == before
    for f in files:
        f.seek(0)
    response = client.post(url, {"files": files, "kind": "red_story", "shared": "on"})
    assert response.status_code == 302
    made = {m.title: m for m in Material.objects.order_by("-pk")[:3]}
    assert set(made) == {"遵义会议纪念馆参观记", "古田会议学习笔记", "红旗渠的故事"}
    assert made["古田会议学习笔记"].body == "思想建党、政治建军。" and made["红旗渠的故事"].shared
    assert Attachment.objects.filter(object_id__in=[m.pk for m in made.values()]).count() >= 3
    assert ("material", made["红旗渠的故事"].pk) in _ids(search.search("太行山腰", user=cast.clerk))
    client.force_login(cast.member)
    assert (
        client.post(url, {"files": [_upload("a.txt", "标题\n正文".encode())], "kind": "book"}).status_code
        == 403
    )


def test_materials_import_from_pdf(cast, tmp_path):
    import os
    import shutil
    import subprocess

    from taizhang.library.importing import extract

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        message = "!!! 未安装 LibreOffice：跳过 PDF 资料导入检查"
        if os.environ.get("TAIZHANG_REQUIRE_OFFICE"):
            pytest.fail(message)
        pytest.skip(message)
    (tmp_path / "yanan.docx").write_bytes(_docx(["延安整风运动", "整顿学风、党风和文风。"]))
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "yanan.docx")],
        check=True, capture_output=True, timeout=180, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    got = extract("yanan.pdf", (tmp_path / "yanan.pdf").read_bytes())
    assert got.title == "延安整风运动" and "整顿学风、党风和文风" in got.body


def test_totals_are_exact_up_to_the_cap_and_say_more_beyond(cast, client, monkeypatch):
    everything = search.search("学习", user=cast.clerk, limit=100_000)
    assert not everything.more and everything.total == len(everything.hits) > 5
    monkeypatch.setattr(search, "COUNT_CAP", 5)
    capped = search.search("学习", user=cast.clerk, limit=100_000)
    assert (
        capped.more and capped.total == 5 and len(capped.hits) == len(everything.hits)
    )  # paging still reaches all
    client.force_login(cast.clerk)
    assert "超过 5 条" in client.get(reverse("library:search"), {"q": "学习"}).content.decode()


def test_the_search_page_pages_through_every_result(cast, client, monkeypatch):
    from taizhang.library import views

    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    everything = [h.title for h in search.search("学习", user=cast.clerk, limit=100_000).hits]
    client.force_login(cast.clerk)
    seen, page = [], 1
    while True:
        html = client.get(reverse("library:search"), {"q": "学习", "page": page}).content.decode()
        seen += [t for t in everything if f">{t}</a>" in html and t not in seen]
        if "下一页" not in html:
            break
        page += 1
    assert page == -(-len(everything) // 4) and set(seen) == set(everything)
    assert "上一页" in html and f"第 {(page - 1) * 4 + 1}–{len(everything)} 条" in html
