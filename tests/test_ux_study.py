"""个人自学 is quick to log and reads in 学时 everywhere: the form opens on today with 1 学时, the
materials recommended or studied lately come first, and the list and record say 学时 as the home
page does."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse
from django.utils import timezone

from taizhang.core.services import record_create
from taizhang.library.models import Material, SelfStudy


def test_the_form_opens_on_today_with_one_hour_and_the_nearest_materials_first(
    cast: Any, client: Any
) -> None:
    unit = cast.units["demo-dist"]
    studied = Material.objects.get(title="红军长征的历程")
    record_create(acting_user=cast.member, instance=SelfStudy(unit=unit, person=cast.member, material=studied,
                                                              studied_on=timezone.localdate(), minutes=30))  # fmt: skip
    client.force_login(cast.member)
    page = client.get(reverse("library:selfstudy_create")).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in page  # 学习日期: today
    assert re.search(r'name="hours"[^>]*value="1"', page)  # 时长: 1 学时 unless changed
    assert "时长（学时）" in page and "分钟）" not in page
    groups = re.findall(r'<optgroup label="([^"]+)"', page)
    assert groups[0] == "为我推荐" and "我最近学过" in groups and groups[-1].startswith("全部资料")
    recent = page.split('label="我最近学过"')[1].split("</optgroup>")[0]
    assert "红军长征的历程" in recent
    assert page.count(f'<option value="{studied.pk}"') == 1  # no material offered twice
    assert 'id="material-filter"' in page


def test_hours_are_stored_as_minutes_and_shown_as_hours(cast: Any, client: Any) -> None:
    client.force_login(cast.member)
    url = reverse("library:selfstudy_create")
    data = {
        "person": cast.member.pk,
        "studied_on": timezone.localdate().isoformat(),
        "hours": "1.5",
        "note": "读党章",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    study = SelfStudy.objects.latest("pk")
    assert study.minutes == 90
    detail = client.get(response.url).content.decode()
    assert "1.5 学时" in detail and "时长（分钟）" not in detail
    listing = client.get(reverse("library:selfstudy_list")).content.decode()
    assert "1.5 学时" in listing and "时长（分钟）" not in listing
    edit = client.get(reverse("library:selfstudy_edit", args=[study.pk])).content.decode()
    assert re.search(r'name="hours"[^>]*value="1.5', edit)
    bad = client.post(url, {**data, "hours": "0.1"})
    assert bad.status_code == 200 and "至少 0.25 学时" in bad.content.decode()
    assert SelfStudy.objects.count() == SelfStudy.objects.filter(pk__lte=study.pk).count()
