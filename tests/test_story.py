"""红色故事: the library's 主题教育 stories — who, when, the lesson and a named source — found by
search, offered to read, and cited from a meeting as material studied."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from taizhang.core.models import AuditEntry
from taizhang.core.services import record_create
from taizhang.library import search, studies
from taizhang.library.models import UNNAMED_SOURCES, Material, MaterialKind

from .conftest import login_client


def _stories(cast: Any) -> Any:
    return Material.objects.filter(kind=MaterialKind.RED_STORY, unit=cast.units["demo-dist"])


def test_demo_holds_twenty_stories_each_with_people_time_lesson_and_a_named_source(cast: Any) -> None:
    stories = list(_stories(cast))
    assert len(stories) >= 20
    for s in stories:
        assert s.figures and s.era and s.lesson and s.body, s.title
        assert s.source not in UNNAMED_SOURCES and "《" in s.source, s.title
    assert len({s.title for s in stories}) == len(stories)


def test_a_story_entered_without_lesson_or_named_source_is_refused_in_chinese(cast: Any, client: Any) -> None:
    login_client(client, cast.clerk)
    url = reverse("library:material_create")
    data = {"title": "一个故事", "kind": "red_story", "source": "本单位整理", "figures": "某人", "era": "1950年",
            "body": "故事正文。", "tags": "", "published_on": ""}  # fmt: skip
    page = client.post(url, data).content.decode()
    assert "红色故事请填写启示。" in page and "史料或出版物" in page
    assert not Material.objects.filter(title="一个故事").exists()
    data.update(lesson="要牢记初心。", source="《中国共产党简史》")
    assert client.post(url, data).status_code == 302
    assert Material.objects.get(title="一个故事").lesson == "要牢记初心。"
    # another kind of material needs none of it
    data.update(title="一份文件", kind="document", source="", figures="", era="", lesson="")
    assert client.post(url, data).status_code == 302


def test_a_story_is_found_by_the_person_it_tells_of_and_by_its_lesson(cast: Any) -> None:
    hits = search.search("焦裕禄", user=cast.member, limit=50)
    assert any(h.title == "焦裕禄在兰考" for h in hits.hits)
    lesson_words = "一锤一钎"
    hits = search.search(lesson_words, user=cast.member, limit=50)
    assert [h.title for h in hits.hits] == ["红旗渠的修建"]


def test_a_member_is_offered_a_story_to_read(cast: Any) -> None:
    offered = studies.recommend(
        cast.member, cast.units["demo-dist"], user=cast.member, today=timezone.localdate(), limit=50
    )
    assert any(r.material.kind == MaterialKind.RED_STORY for r in offered)


def test_the_clerk_cites_a_story_from_the_meeting_page(cast: Any, meeting: Any, client: Any) -> None:
    story = _stories(cast).exclude(sessions=meeting).order_by("title").first()
    login_client(client, cast.clerk)
    page = client.get(reverse("ledger:meeting_detail", args=[meeting.pk])).content.decode()
    assert "列入学习内容" in page and '<optgroup label="红色故事">' in page
    seq = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    response = client.post(reverse("library:cite", args=[meeting.pk]), {"material": story.pk}, follow=True)
    assert f"已将《{story.title}》列入本次会议的学习内容。" in response.content.decode()
    assert meeting.materials.filter(pk=story.pk).exists()
    row = AuditEntry.objects.filter(seq__gt=seq).get()
    assert row.action == "change" and row.object_id == str(meeting.pk)
    assert story.pk in row.after["materials"] and story.pk not in row.before["materials"]
    page = client.get(reverse("ledger:meeting_detail", args=[meeting.pk])).content.decode()
    assert f">{story.title}</a>" in page
    again = client.post(reverse("library:cite", args=[meeting.pk]), {"material": story.pk}, follow=True)
    assert "这份资料已列入本次会议的学习内容。" in again.content.decode()
    client.post(reverse("library:uncite", args=[meeting.pk, story.pk]))
    assert not meeting.materials.filter(pk=story.pk).exists()


def test_a_member_cannot_cite_and_another_units_material_is_not_offered(
    cast: Any, meeting: Any, client: Any
) -> None:
    story = _stories(cast).exclude(sessions=meeting).first()
    login_client(client, cast.member)
    assert (
        "列入学习内容" not in client.get(reverse("ledger:meeting_detail", args=[meeting.pk])).content.decode()
    )
    assert client.post(reverse("library:cite", args=[meeting.pk]), {"material": story.pk}).status_code == 403
    assert not meeting.materials.filter(pk=story.pk).exists()
    other = Material.objects.exclude(unit=cast.units["demo-dist"]).filter(shared=False).first()
    if other is None:
        other = record_create(
            acting_user=cast.outsider,
            instance=Material(
                unit=cast.units["demo-east"], title="外单位资料", kind=MaterialKind.DOCUMENT,
                body="正文", shared=False,
            ),
        )  # fmt: skip
    login_client(client, cast.clerk)
    response = client.post(reverse("library:cite", args=[meeting.pk]), {"material": other.pk}, follow=True)
    assert "请选择学习资料。" in response.content.decode()
    assert not meeting.materials.filter(pk=other.pk).exists()


def test_a_story_imported_from_a_file_says_what_it_lacks(cast: Any, client: Any) -> None:
    story = record_create(
        acting_user=cast.clerk,
        instance=Material(
            unit=cast.units["demo-dist"], title="导入的故事", kind=MaterialKind.RED_STORY, body="正文"
        ),
    )
    login_client(client, cast.clerk)
    page = client.get(reverse("library:material_detail", args=[story.pk])).content.decode()
    assert "这篇红色故事还缺少以下内容" in page and "红色故事请填写启示。" in page
    complete = _stories(cast).exclude(pk=story.pk).first()
    page = client.get(reverse("library:material_detail", args=[complete.pk])).content.decode()
    assert "还缺少" not in page and complete.lesson in page
