"""Drafts in the browser: proofreading checks the whole document, "accept all" never makes two
一、, an edited section keeps its figure links where the number is unchanged, the figure check
flags a changed number, and the Word file with sources carries the annex after edits."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document as Word

from taizhang.reports import services
from taizhang.reports.models import DocumentVersion, OfficialDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(cast, client):
    client.force_login(cast.clerk)
    client.post(reverse("reports:index"), {"kind": "annual", "year": "2025", "day": "2026-01-10"})
    return OfficialDocument.objects.get(unit=cast.units["demo-dist"], kind="annual")


def _sections(doc):
    return services.sections(DocumentVersion.objects.get(document=doc).content)


def _by_heading(doc, start):
    return next(s for s in _sections(doc) if s["text"].startswith(start))


def test_proofreading_reads_the_whole_draft_and_accept_all_never_repeats_a_number(draft, client):
    detail = reverse("reports:detail", args=[draft.pk])
    page = client.get(detail + "?check=proofread").content.decode()
    assert "校对结果（全文）：未发现问题" in page  # 二、 and 三、 follow the 一、 of an earlier section
    # the clerk numbers the last section 一、 again: a repeated number across sections
    last = _by_heading(draft, "三、")
    client.post(
        reverse("reports:section", args=[draft.pk, last["index"]]), {"text": "一、" + last["text"][2:]}
    )
    page = client.get(detail + "?check=proofread").content.decode()
    assert "标题序号重号或跳号：此处应为“三”" in page
    client.post(reverse("reports:section", args=[draft.pk, last["index"]]), {"fix": "1"})
    heads = [s["text"][:2] for s in _sections(draft) if s["style"] == "h1"]
    assert heads == ["一、", "二、", "三、"]
    # accepting the fixes of a section that has none leaves its 二、 as it is
    second = _by_heading(draft, "二、")
    client.post(reverse("reports:section", args=[draft.pk, second["index"]]), {"fix": "1"})
    assert _by_heading(draft, "二、")["text"] == second["text"]
    # the whole draft's fixes at once: two sections numbered 一、 again, a half-width comma
    client.post(
        reverse("reports:section", args=[draft.pk, second["index"]]), {"text": "一、" + second["text"][2:]}
    )
    last = _by_heading(draft, "三、")
    client.post(
        reverse("reports:section", args=[draft.pk, last["index"]]),
        {"text": "一、" + last["text"][2:] + "\n另外,全年工作有序推进。"},
    )
    page = client.get(detail + "?check=proofread").content.decode()
    assert "采用全文的全部修改" in page
    done = client.post(reverse("reports:fix_all", args=[draft.pk]), follow=True).content.decode()
    assert "涉及2个部分" in done and "校对结果（全文）：未发现问题" in done
    heads = [s["text"][:2] for s in _sections(draft) if s["style"] == "h1"]
    assert (
        heads == ["一、", "二、", "三、"] and "另外，全年工作有序推进。" in _by_heading(draft, "三、")["text"]
    )


def test_an_edit_keeps_its_figure_links_and_the_check_flags_a_changed_number(draft, client):
    work = _by_heading(draft, "一、")
    version = DocumentVersion.objects.get(document=draft)
    start = work["start"]
    linked_before = [s for b in version.content["blocks"][start:] for s in b["spans"] if s["figure"]]
    group = next(s for s in linked_before if s["figure"] == "group")
    # a sentence added and a word changed in the paragraph that states the group's size
    assert "工作领导小组" in work["text"]
    text = work["text"].replace("工作领导小组", "工作的领导小组", 1) + "\n全年工作有序推进。"
    client.post(reverse("reports:section", args=[draft.pk, work["index"]]), {"text": text})
    version = DocumentVersion.objects.get(document=draft)
    linked_after = [s for b in version.content["blocks"] for s in b["spans"] if s["figure"]]
    assert {s["figure"] for s in linked_before} <= {s["figure"] for s in linked_after}
    page = client.get(reverse("reports:detail", args=[draft.pk])).content.decode()
    assert page.count('class="tz-figure"') >= len(linked_before)
    # the group's size changed by hand: no longer linked, and the check says so
    recorded = group["text"]
    wrong = str(int(recorded) + 1)
    text = services.sections(version.content)[work["index"]]["text"].replace(
        f"成员{recorded}人", f"成员{wrong}人"
    )
    client.post(reverse("reports:section", args=[draft.pk, work["index"]]), {"text": text})
    version = DocumentVersion.objects.get(document=draft)
    assert "group" not in {s["figure"] for b in version.content["blocks"] for s in b["spans"] if s["figure"]}
    checked = client.get(reverse("reports:detail", args=[draft.pk]) + "?check=facts").content.decode()
    assert (
        f"文中称意识形态工作领导小组成员{wrong}人，台账记录{recorded}人" in checked
        and "与台账不符" in checked
    )
    # the Word file with sources still carries the annex, with the edited section's figures
    data = client.get(reverse("reports:download", args=[draft.pk, version.number, "docx"]) + "?sources=1")
    texts = [p.text for p in Word(io.BytesIO(data.content)).paragraphs]
    assert "附件：数据来源" in texts and "附件" in texts
    annex = "\n".join(texts[texts.index("附件") :])
    assert "意识形态工作领导小组成员：" in annex and "理论学习中心组集中学习：" in annex
