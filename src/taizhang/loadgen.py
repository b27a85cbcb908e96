"""`taizhang gen-load`: a deterministic synthetic province for benchmarks.

A tree of N units (one provincial bureau, its city bureaus, their county bureaus and the county
bureaus' party branches) and, for each unit, M records of one year spread over the ledgers the
rules read: meetings of every kind, half-year reports and inspections of the unit's positions.
The same seed gives the same province. Rows go in with the bulk inserter; the generation itself
is one audit row, not one per synthetic record.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from .core import audit, bulk
from .core.context import acting
from .core.models import AuditEntry
from .ledger import models as m
from .orgs.models import Membership, Unit, UnitKind, User
from .orgs.roles import Role

PREFIX = "load"


def _tree(n: int) -> list[tuple[str, str, str, int | None]]:
    """(code, name, kind, parent index) for n units: 1 province, ~2% cities, ~18% counties, branches."""
    cities = max(1, n // 50)
    counties = max(1, (n - 1 - cities) // 6)
    nodes: list[tuple[str, str, str, int | None]] = [(f"{PREFIX}-p", "合成省气象局", UnitKind.PROVINCE, None)]
    for c in range(cities):
        if len(nodes) >= n:
            break
        nodes.append((f"{PREFIX}-c{c}", f"合成第{c + 1}市气象局", UnitKind.CITY, 0))
    city_idx = list(range(1, len(nodes)))
    county_idx = []
    for k in range(counties):
        if len(nodes) >= n:
            break
        parent = city_idx[k % len(city_idx)] if city_idx else 0
        county_idx.append(len(nodes))
        nodes.append((f"{PREFIX}-x{k}", f"合成第{k + 1}县气象局", UnitKind.COUNTY, parent))
    b = 0
    while len(nodes) < n:
        parent = county_idx[b % len(county_idx)] if county_idx else 0
        nodes.append((f"{PREFIX}-b{b}", f"合成第{b + 1}党支部", UnitKind.BRANCH, parent))
        b += 1
    return nodes


def generate(*, units: int, records_per_unit: int, seed: int, year: int | None = None) -> dict[str, int]:
    if units < 1 or records_per_unit < 1:
        raise ValueError(
            f"单位数和每个单位的记录数都至少为 1（现为 --units {units}、--records-per-unit {records_per_unit}）。"
        )
    # Synthetic units and accounts mixed into real (or demo) data could never be told apart
    # again, and a benchmark over them would measure something else: only an empty database.
    if Unit.objects.exists() or User.objects.exists() or AuditEntry.objects.exists():
        raise ValueError(
            "数据库中已有数据（单位、账号或审计记录），合成数据只能生成到新建的空数据库中："
            "请把 TAIZHANG_DATA_DIR 设为一个新目录（或 TAIZHANG_DATABASE_URL 指向新建的库）后再运行。"
        )
    rng = random.Random(seed)  # noqa: S311 (synthetic data)
    year = year or timezone.localdate().year - 1
    with acting(channel="cli"), transaction.atomic():
        objs = _units(units)
        clerk = _people(objs)
        counts = _records(objs, clerk, records_per_unit, rng, year)
        audit.record(
            action="create", object_type="gen-load", object_label=f"合成数据：{counts}", after=counts
        )
    return counts


def _units(n: int) -> list[Unit]:
    """The tree's units, inserted with their ids, paths and depths in one go."""
    nodes = _tree(n)
    objs = [
        Unit(code=code, name=name, short_name=name[:20], kind=kind, party_org_name=f"{name}党组织")
        for code, name, kind, _parent in nodes
    ]
    ids = bulk.reserve_ids(Unit, len(objs))
    for obj, pk, (_c, _n, _k, parent) in zip(objs, ids, nodes, strict=True):
        obj.pk = pk
        parent_obj = objs[parent] if parent is not None else None
        obj.parent_id = parent_obj.pk if parent_obj else None
        obj.path = f"{parent_obj.path if parent_obj else '/'}{pk}/"
        obj.depth = obj.path.count("/") - 2
        obj.is_active = True
    bulk.insert_objects(objs)
    return objs


def _people(objs: list[Unit]) -> User:
    """An inspector at the root and one clerk of every unit; returns the clerk."""
    inspector = User(username=f"{PREFIX}-inspector", full_name="合成省局检查员", must_change_password=False)
    inspector.set_unusable_password()
    inspector.save()
    clerk = User(username=f"{PREFIX}-clerk", full_name="合成联络员", must_change_password=False)
    clerk.set_unusable_password()
    clerk.save()
    bulk.insert_objects([
        Membership(unit=objs[0], user=inspector, role=Role.INSPECTOR),
        *[Membership(unit=u, user=clerk, role=Role.CLERK) for u in objs],
    ])  # fmt: skip
    return clerk


def _records(
    objs: list[Unit], clerk: User, records_per_unit: int, rng: random.Random, year: int
) -> dict[str, int]:
    """Each unit's position, meetings, half-year reports and inspections of `year`."""
    tz = timezone.get_current_timezone()
    kinds = list(m.MeetingKind.values)
    weights = {"branch_committee": 12, "group": 12, "theme_day": 12, "staff_study": 12, "central_study": 6,
               "analysis": 4, "members_assembly": 4}  # fmt: skip
    pool = [k for k in kinds for _ in range(weights.get(k, 1))]
    start = datetime.combine(date(year, 1, 1), time(9), tzinfo=tz)
    meetings, reports, positions, inspections = [], [], [], []
    for unit in objs:
        pos = m.Position(unit=unit, kind=m.PositionKind.WECHAT, name=f"{unit.short_name}公众号", owner=clerk,
                         opened_on=date(year - 3, 1, 1), created_by=clerk, updated_by=clerk)  # fmt: skip
        positions.append(pos)
        n_reports = min(2, records_per_unit // 20)
        n_inspections = max(0, records_per_unit // 12)
        n_meetings = max(0, records_per_unit - n_reports - n_inspections - 1)  # the position is one
        for _ in range(n_meetings):
            kind = rng.choice(pool)
            when = start + timedelta(days=rng.randrange(365), hours=rng.randrange(10))
            meetings.append(m.Meeting(
                unit=unit, kind=kind, title=f"{m.MeetingKind(kind).label}", held_at=when, place="会议室",
                host=clerk, expected=12, present=rng.randint(9, 12), content="传达学习有关精神。",
                hours=Decimal("2.0") if kind in ("central_study", "staff_study", "party_lecture", "reading") else None,
                created_by=clerk, updated_by=clerk,
            ))  # fmt: skip
        for h in range(n_reports):
            reports.append(m.ReportRecord(
                unit=unit, kind=m.ReportKind.HALF_YEAR, held_on=date(year, 6 if h == 0 else 12, rng.randint(10, 25)),
                title=f"{year}年{'上' if h == 0 else '下'}半年意识形态工作报告", recipient="上级党组",
                created_by=clerk, updated_by=clerk,
            ))  # fmt: skip
        for _ in range(n_inspections):
            inspections.append((pos, date(year, 1, 1) + timedelta(days=rng.randrange(365))))
    bulk.insert_objects(positions)
    bulk.insert_objects(meetings)
    bulk.insert_objects(reports)
    bulk.insert_objects([
        m.PositionInspection(unit=p.unit, position=p, inspected_on=d, inspector=clerk, findings="未发现问题。",
                             created_by=clerk, updated_by=clerk)
        for p, d in inspections
    ])  # fmt: skip
    return {"units": len(objs), "records": len(meetings) + len(reports) + len(inspections) + len(positions)}


def meeting_workbook(path: str | Path, rows: int, person: str) -> None:
    """An .xlsx of `rows` analysis meetings in the import template's columns, `person` chairing
    and attending (for the import benchmark and the crash tests)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("会议学习")
    ws.append(["类型", "名称", "时间", "地点", "主持人", "应到人数", "实到人数", "参加人员", "传达学习内容"])
    for i in range(rows):
        ws.append(
            [
                "分析研判会议",
                f"导入会议{i}",
                datetime(2025, 1 + i % 12, 1 + i % 28, 9, 30),
                "会议室",
                person,
                10,
                9,
                person,
                "学习有关文件。",
            ]
        )
    wb.save(path)
