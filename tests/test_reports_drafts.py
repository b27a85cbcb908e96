"""Drafts: generate from the ledgers, edit section by section, proofread, check the figures,
finalise as a numbered version, revise; final versions never change."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document as Word

from taizhang.core.models import AuditEntry
from taizhang.ledger import models as lm
from taizhang.reports import services
from taizhang.reports.models import DocumentVersion, OfficialDocument

pytestmark = pytest.mark.django_db


def _generate(client, **data):
    return client.post(reverse("reports:index"), {"kind": "annual", "year": "2025", **data}, follow=True)


def test_clerk_generates_edits_and_the_fact_check_catches_a_changed_number(cast, client):
    client.force_login(cast.clerk)
    page = _generate(client)
    assert "已根据台账生成" in page.content.decode()
    doc = OfficialDocument.objects.get(unit=cast.units["demo-dist"], kind="annual")
    version = DocumentVersion.objects.get(document=doc)
    assert version.number == 1 and not version.final and version.mentions
    assert AuditEntry.objects.filter(
        object_type="reports.OfficialDocument", object_id=str(doc.pk), action="create"
    ).exists()
    assert AuditEntry.objects.filter(
        object_type="reports.DocumentVersion", object_id=str(version.pk), action="create"
    ).exists()
    central = lm.Meeting.objects.filter(
        unit=doc.unit, kind="central_study", held_at__year=2025, deleted_at__isnull=True
    ).count()
    checked = client.get(reverse("reports:detail", args=[doc.pk]) + "?check=facts").content.decode()
    assert (
        f"文中称理论学习中心组集中学习{central}次，台账记录{central}次" in checked
        and "与台账不符" not in checked
    )
    # the clerk rewrites the study section with a wrong number
    sections = services.sections(version.content)
    # the words before the figure vary with the phrase bank: take them from the stored mention
    before = next(m["before"] for m in version.mentions if m["figure"] == "central_study")
    study = next(s for s in sections if f"{before}{central}次" in s["text"])
    wrong = study["text"].replace(f"{before}{central}次", f"{before}{central + 5}次")
    client.post(reverse("reports:section", args=[doc.pk, study["index"]]), {"text": wrong})
    assert AuditEntry.objects.filter(
        object_type="reports.DocumentVersion", object_id=str(version.pk), action="change"
    ).exists()
    checked = client.get(reverse("reports:detail", args=[doc.pk]) + "?check=facts").content.decode()
    assert f"文中称理论学习中心组集中学习{central + 5}次，台账记录{central}次" in checked
    assert "与台账不符" in checked


def test_proofreading_a_draft_finds_what_an_edit_brought_in(cast, client):
    client.force_login(cast.clerk)
    _generate(client)
    doc = OfficialDocument.objects.get(unit=cast.units["demo-dist"], kind="annual")
    opening = services.sections(DocumentVersion.objects.get(document=doc).content)[1]
    client.post(
        reverse("reports:section", args=[doc.pk, 1]), {"text": opening["text"] + "\nXX局要统-部署,己经完成。"}
    )
    page = client.get(reverse("reports:detail", args=[doc.pk]) + "?check=proofread").content.decode()
    assert "未填写的占位符" in page and "“一”被误作连字符或破折号" in page and "“己经”应为“已经”" in page
    # an empty section is refused, nothing changes
    before = DocumentVersion.objects.get(document=doc).content
    refused = client.post(reverse("reports:section", args=[doc.pk, 1]), {"text": "  "}, follow=True)
    assert "这一部分不能为空" in refused.content.decode()
    assert DocumentVersion.objects.get(document=doc).content == before
    # accepting the section's fixes: what has a fix is fixed, the placeholder waits for a person
    client.post(reverse("reports:section", args=[doc.pk, 1]), {"fix": "1"})
    fixed = services.sections(DocumentVersion.objects.get(document=doc).content)[1]["text"]
    assert fixed.endswith("XX局要统一部署，已经完成。")


def test_finalise_by_the_secretary_then_revise_keeps_the_final_version(cast, client):
    client.force_login(cast.clerk)
    _generate(client)
    doc = OfficialDocument.objects.get(unit=cast.units["demo-dist"], kind="annual")
    assert client.post(reverse("reports:finalise", args=[doc.pk])).status_code == 403
    client.force_login(cast.secretary)
    client.post(reverse("reports:finalise", args=[doc.pk]))
    v1 = DocumentVersion.objects.get(document=doc, number=1)
    assert v1.final and v1.finalised_by == cast.secretary and v1.finalised_at is not None
    frozen = v1.content
    # a final version cannot be edited
    page = client.post(
        reverse("reports:section", args=[doc.pk, 1]), {"text": "改动"}, follow=True
    ).content.decode()
    assert "定稿的版本不能修改" in page
    v1.refresh_from_db()
    assert v1.content == frozen
    # revising starts version 2 as a draft; version 1 stays
    client.force_login(cast.clerk)
    client.post(reverse("reports:revise", args=[doc.pk]))
    v2 = DocumentVersion.objects.get(document=doc, number=2)
    assert not v2.final and v2.content == frozen
    client.post(reverse("reports:section", args=[doc.pk, 1]), {"text": "新的开头。"})
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v1.content == frozen and v2.content != frozen
    history = client.get(reverse("reports:detail", args=[doc.pk])).content.decode()
    assert "第2版" in history and "定稿（" in history


def test_downloads_and_figure_sources(cast, client):
    client.force_login(cast.clerk)
    _generate(client)
    doc = OfficialDocument.objects.get(unit=cast.units["demo-dist"], kind="annual")
    docx = client.get(reverse("reports:download", args=[doc.pk, 1, "docx"]))
    title = Word(io.BytesIO(docx.content)).paragraphs[0].text.replace("\n", "")
    assert title == "中共区气象局党支部2025年度意识形态工作总结"
    appendix = Word(
        io.BytesIO(client.get(reverse("reports:download", args=[doc.pk, 1, "docx"]) + "?sources=1").content)
    )
    assert any(p.text == "数据来源" for p in appendix.paragraphs)
    md = client.get(reverse("reports:download", args=[doc.pk, 1, "md"])).content.decode()
    assert md.startswith("# 中共区气象局党支部2025年度")
    detail = client.get(reverse("reports:detail", args=[doc.pk])).content.decode()
    figure_url = reverse("reports:figure", args=[doc.pk, 1, "central_study"])
    assert figure_url in detail  # the preview links the figure to its records
    page = client.get(figure_url).content.decode()
    meeting = lm.Meeting.objects.filter(unit=doc.unit, kind="central_study", held_at__year=2025).first()
    assert reverse("ledger:meeting_detail", args=[meeting.pk]) in page
    client.force_login(cast.member)  # a member reads, and cannot draft
    assert client.get(reverse("reports:detail", args=[doc.pk])).status_code == 200
    assert _generate(client).status_code == 403


def test_generating_needs_a_period_for_half_year_and_quarter(cast, client):
    client.force_login(cast.clerk)
    page = _generate(client, kind="half-year").content.decode()
    assert "请选择上半年或下半年" in page
    page = _generate(client, kind="analysis").content.decode()
    assert "请选择季度" in page
    assert not OfficialDocument.objects.filter(unit=cast.units["demo-dist"]).exists()
    assert "已根据台账生成" in _generate(client, kind="analysis", quarter="2").content.decode()
