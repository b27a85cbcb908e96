from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from taizhang.core.models import UnitOwned

from .engine import MEASURES, PERIOD_NAMES, PERIODS, Rule, default_rules, parse_rule


class LocalAction(models.TextChoices):
    OVERRIDE = "override", "调整标准"
    DISABLE = "disable", "本单位不适用"
    ADD = "add", "增加本地规则"


class LocalRule(UnitOwned):
    """One unit's change to the requirement set it inherits: a different threshold or due day, a rule
    that does not apply, or a rule of its own. Descendant units inherit it."""

    action = models.CharField("调整方式", max_length=16, choices=LocalAction.choices)
    rule_id = models.SlugField(
        "规则代码", max_length=60, help_text="调整或停用时填写默认规则的代码；新增时自拟"
    )
    year = models.PositiveSmallIntegerField("适用年度", null=True, blank=True, help_text="留空表示每年适用")
    name = models.CharField("规则名称", max_length=100, blank=True)
    source = models.CharField("依据", max_length=200, blank=True)
    ledger = models.CharField(
        "统计台账", max_length=30, blank=True, help_text="如 meeting、report、inspection"
    )
    kind = models.CharField("类型筛选", max_length=40, blank=True, help_text="台账中的类型，如 analysis")
    period = models.CharField(
        "周期", max_length=10, blank=True, choices=[(k, v) for k, v in PERIOD_NAMES.items()]
    )
    measure = models.CharField(
        "计量", max_length=10, blank=True, choices=[(k, v) for k, v in MEASURES.items()]
    )
    threshold = models.PositiveIntegerField("数量要求", null=True, blank=True)
    due = models.CharField(
        "截止日", max_length=60, blank=True, help_text="MM-DD，多个周期用逗号分隔，如 06-20,12-20"
    )
    reason = models.CharField("调整理由", max_length=200, blank=True)

    class Meta:
        verbose_name = "本地规则"
        verbose_name_plural = "本地规则"
        ordering = ["unit__path", "rule_id", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}：{self.name or self.rule_id}"

    def _due(self) -> list[str]:
        return [d.strip() for d in self.due.split(",") if d.strip()]

    def apply(self, rules: dict[str, Rule]) -> None:
        """Change an inherited set in place."""
        if self.action == LocalAction.DISABLE:
            rules.pop(self.rule_id, None)
        elif self.action == LocalAction.OVERRIDE and self.rule_id in rules:
            from dataclasses import replace

            rule = rules[self.rule_id]
            rules[self.rule_id] = replace(
                rule,
                threshold=self.threshold if self.threshold is not None else rule.threshold,
                due=tuple(self._due()) or rule.due,
                local=True,
            )
        elif self.action == LocalAction.ADD:
            rules[self.rule_id] = parse_rule(
                {
                    "id": self.rule_id, "name": self.name, "source": self.source, "ledger": self.ledger,
                    "filters": {"kind": self.kind} if self.kind else {}, "period": self.period,
                    "measure": self.measure or "count", "threshold": self.threshold or 1, "due": self._due(),
                },
                local=True,
            )  # fmt: skip

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        known = {r.id for r in default_rules(self.year or 2100)}
        if self.action in (LocalAction.OVERRIDE, LocalAction.DISABLE) and self.rule_id not in known:
            errors["rule_id"] = "默认规则中没有这个代码。可用：" + "、".join(sorted(known))
        if self.action == LocalAction.OVERRIDE and self.threshold is None and not self.due:
            errors["threshold"] = "请填写新的数量要求或截止日。"
        if self.action == LocalAction.ADD:
            from taizhang.core.views import REGISTRY

            if self.rule_id in known:
                errors["rule_id"] = "与默认规则代码重复，请改用“调整标准”。"
            for name in ("name", "ledger", "period"):
                if not getattr(self, name):
                    errors[name] = "新增本地规则须填写此项。"
            if self.ledger and self.ledger not in REGISTRY:
                errors["ledger"] = "没有这个台账。可用：" + "、".join(sorted(REGISTRY))
            if self.threshold is None:
                errors["threshold"] = "新增本地规则须填写数量要求。"
        for d in self._due():
            try:
                mm, dd = (int(x) for x in d.split("-"))
                if not (1 <= mm <= 12 and 1 <= dd <= 31):
                    raise ValueError
            except ValueError:
                errors["due"] = "截止日格式应为 MM-DD，如 06-20。"
        if self.period and self.period not in PERIODS:
            errors["period"] = "周期无效。"
        if errors:
            raise ValidationError(errors)
