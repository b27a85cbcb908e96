"""The city 党组's roll-up after the fifth outside reading (issue 15): no 截至目前 in a closed year,
no 个别单位 when every unit fell short, no 各有不同 over the same kind of misses, the table's items
said in one sentence (and why one unit has more), the 党组's own late report and missing 研判 among
its shortcomings, the units' own rectification deadlines not overridden, one 听取 per item; the
self-assessment's measures name the secretary."""

from __future__ import annotations

import pytest

from taizhang.proofread import check
from taizhang.reports import document as d
from taizhang.reports import writer

from .test_docC_rollup import LAST, SIGNED, _build, _part

pytestmark = pytest.mark.django_db


def test_rollup_after_the_fifth_reading(city_year):
    doc = _build(city_year)
    text = doc.plain()
    assert "截至目前" not in text and f"截至{LAST + 1}年1月19日" in text
    assert "各有不同" not in text and "下面分述" not in text
    assert "1月底前整改到位" not in text and "重新明确的整改时限" in text
    assert "汇报，听取" not in text
    # the table is read as it stands: no sentence under it explains how its items were counted
    # (the sixth reading: 解释统计方法的句子要删; its rule names read 民主生活会（组织生活会）)
    table = next(i for i, b in enumerate(doc.blocks) if b.style == d.TABLE)
    assert "表中项数" not in text and "应完成" not in doc.blocks[table + 1].text
    problems = _part(text, "存在的主要问题", "下一步工作打算")
    own = problems.split("所属3个单位均有")[0]
    assert "专题报告7月10日才报送" in own and "没有开展意识形态领域形势分析研判" in own
    assert "已全部整改销号" in text and f"至{LAST}年" in text  # the day the last one closed
    assert check(text) == []


def test_every_unit_short_is_not_called_a_few():
    from types import SimpleNamespace as NS

    from taizhang.reports.rollup import _judged

    units = [NS(rate=0.85, missed=[1], unrecorded=[], unit=NS(pk=n)) for n in (1, 2)]
    assert "各单位均不同程度存在差距" in _judged(units, {})
    units[0].missed = []
    assert "个别单位仍有差距" in _judged(units, {})


def test_assessment_measures_name_the_secretary(city_year):
    west = city_year.units["demo-west"]
    doc = writer.build("assessment", west, LAST, day=SIGNED)
    text = doc.plain()
    measures = _part(text, "存在的不足和改进措施", "特此报告")
    assert "阵地检查发现的问题" not in measures or "下一轮检查时逐项复核销号" in measures
    assert "支部书记审定" not in measures and "由支部书记排定" not in measures
    assert check(text) == []
