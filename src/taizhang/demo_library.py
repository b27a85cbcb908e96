"""Demo study library: the materials of library/data/materials.yaml (written for this project:
short factual accounts of party history, summaries of public documents, two local cases), linked
to the district's study plans and study sessions, and a year of personal study by its people."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.utils import timezone

from .core.services import record_create
from .ledger import models as lm
from .ledger.models.meetings import STUDY_KINDS
from .library.models import Material, MaterialKind, SelfStudy

DATA = Path(__file__).parent / "library" / "data" / "materials.yaml"
NOTES = [
    "通读全文，结合本职工作作了笔记。",
    "重点学习了有关历史过程，在支部学习群里交流了体会。",
    "对照自身工作查找不足，写了心得体会。",
    "利用午休时间学习，摘抄了重要段落。",
    "结合汛期服务工作，思考如何把学习成果转化为工作成效。",
]
# plan items take the documents, books and speeches; sessions take the party-history stories too
PLAN_KINDS = {MaterialKind.DOCUMENT, MaterialKind.BOOK, MaterialKind.SPEECH}


def build_library(units: dict[str, Any], cast: Any, city_secretary: Any, *, light: bool) -> list[Material]:
    """Materials of the district (and the city's, shared down), each plan item and study session of
    the district given a material, and personal study month by month up to today."""
    dist = units["demo-dist"]
    rng = random.Random(2025)  # noqa: S311 (demo data, the same every time)
    entries = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    items = list(lm.StudyPlanItem.objects.filter(unit=dist).order_by("plan__year", "month", "pk"))
    sessions = list(lm.Meeting.objects.filter(unit=dist, kind__in=list(STUDY_KINDS)).order_by("held_at"))
    for_plans = [e for e in entries if e["kind"] in PLAN_KINDS]
    for_sessions = [e for e in entries if e["owner"] == "dist"]
    links: dict[str, dict[str, list[Any]]] = {e["title"]: {"plan_items": [], "sessions": []} for e in entries}
    for n, item in enumerate(items):
        links[for_plans[n % len(for_plans)]["title"]]["plan_items"].append(item)
    for n, session in enumerate(sessions):
        links[for_sessions[n % len(for_sessions)]["title"]]["sessions"].append(session)
    made = []
    for e in entries:
        owner, actor = (dist, cast.clerk) if e["owner"] == "dist" else (units["demo-city"], city_secretary)
        m2m = {
            name: values
            for name, values in links[e["title"]].items()
            if values and (owner == dist or name == "plan_items")
        }
        made.append(
            record_create(
                acting_user=actor,
                instance=Material(
                    unit=owner, title=e["title"], kind=e["kind"], source=e.get("source", ""),
                    published_on=e.get("date"), tags=e.get("tags", ""), body=e["body"], shared=owner != dist,
                    figures=e.get("figures", ""), era=e.get("era", ""), lesson=e.get("lesson", ""),
                ),
                m2m=m2m,
            )
        )  # fmt: skip
    _self_study(dist, cast, made, rng, light=light)
    return made


def _self_study(unit: Any, cast: Any, materials: list[Material], rng: random.Random, *, light: bool) -> None:
    """Each person studies on their own a few times a month from January of last year to today;
    the newest materials are left for the recommendations to offer."""
    today = timezone.localdate()
    people = [p for p in dict.fromkeys([cast.secretary, cast.leader, cast.clerk, *cast.members]) if p]
    studied_before = [m for m in materials if not m.published_on or m.published_on < date(today.year, 1, 1)]
    months = [(today.year - 1, mo) for mo in range(1, 13)] + [
        (today.year, mo) for mo in range(1, today.month + 1)
    ]
    for year, month in months[:: 3 if light else 1]:
        for person in people[: 2 if light else None]:
            for _ in range(1 if light else rng.randint(1, 2)):
                day = date(year, month, rng.randint(1, 28))
                if day > today:
                    continue
                choices = [
                    m for m in studied_before if not m.published_on or m.published_on <= day
                ] or studied_before
                record_create(
                    acting_user=person,
                    instance=SelfStudy(
                        unit=unit,
                        person=person,
                        material=rng.choice(choices),
                        studied_on=day,
                        minutes=rng.choice([30, 40, 45, 60, 90]),
                        note=rng.choice(NOTES),
                    ),
                )
