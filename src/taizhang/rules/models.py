from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from taizhang.core.kinds import Child, DatedBy, Kind, register
from taizhang.core.models import UnitOwned

from .engine import MEASURES, PERIOD_NAMES, PERIODS, Rule, default_rules, rule_problems


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
            rules[self.rule_id] = self._added()

    def _added(self) -> Rule:
        """The rule an ADD row declares, built as it is stored (never raising on a bad period):
        engine.rule_problems decides whether it can be evaluated."""
        return Rule(
            id=self.rule_id, name=self.name or self.rule_id, source=self.source, ledger=self.ledger,
            period=self.period, threshold=self.threshold if self.threshold is not None else 1,
            filters=(("kind", self.kind),) if self.kind else (), measure=self.measure or "count",
            due=tuple(self._due()), local=True,
        )  # fmt: skip

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        known = {r.id for r in default_rules(self.year or 2100)}
        if self.action in (LocalAction.OVERRIDE, LocalAction.DISABLE) and self.rule_id not in known:
            errors["rule_id"] = "默认规则中没有这个代码。可用：" + "、".join(sorted(known))
        if self.action == LocalAction.OVERRIDE and self.threshold is None and not self.due:
            errors["threshold"] = "请填写新的数量要求或截止日。"
        if self.action == LocalAction.ADD:
            from taizhang.core.kinds import REGISTRY

            if self.rule_id in known:
                errors["rule_id"] = "与默认规则代码重复，请改用“调整标准”。"
            for name in ("name", "ledger", "period"):
                if not getattr(self, name):
                    errors[name] = "新增本地规则须填写此项。"
            if self.ledger and self.ledger not in REGISTRY:
                errors["ledger"] = "没有这个台账。可用：" + "、".join(sorted(REGISTRY))
            if self.threshold is None:
                errors["threshold"] = "新增本地规则须填写数量要求。"
        if self.period and self.period not in PERIODS:
            errors["period"] = "周期无效。"
        # the rule as the engine would evaluate it, checked by the engine's own function
        candidate: Rule | None = None
        if self.action == LocalAction.ADD and not errors:
            candidate = self._added()
        elif self.action == LocalAction.OVERRIDE and "rule_id" not in errors:
            inherited = {r.id: r for r in default_rules(self.year or 2100)}
            self.apply(inherited)
            candidate = inherited[self.rule_id]
        if candidate is not None:
            from taizhang.core.kinds import REGISTRY

            for name, message in rule_problems(candidate, REGISTRY).items():
                errors.setdefault(name if name in ("ledger", "kind", "period", "measure", "due") else "__all__",
                                  message)  # fmt: skip
        if errors:
            raise ValidationError(errors)


class AssessmentScheme(UnitOwned):
    """A year's assessment scheme (考核细则) a unit issues for itself and the units below it."""

    attachable = True

    year = models.PositiveSmallIntegerField("年度", db_index=True)
    title = models.CharField("名称", max_length=200)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        ordering = ["-year", "pk"]

    def __str__(self) -> str:
        return self.title


class ScoringMethod(models.TextChoices):
    RULE = "rule", "按规则自动计分"
    MANUAL = "manual", "人工评分"


class Indicator(UnitOwned):
    """One indicator of a scheme with its points: computed from a rule (points less a deduction per
    missed period) or scored by hand with evidence."""

    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.PROTECT, related_name="indicators", verbose_name="考核方案"
    )
    number = models.PositiveSmallIntegerField("序号")
    name = models.CharField("指标", max_length=200)
    points = models.DecimalField("分值", max_digits=5, decimal_places=1)
    method = models.CharField("计分方式", max_length=10, choices=ScoringMethod.choices)
    rule_id = models.SlugField("依据规则", max_length=60, blank=True)
    deduction = models.DecimalField("每缺一期扣分", max_digits=5, decimal_places=1, null=True, blank=True)
    criteria = models.TextField("评分标准", blank=True)

    class Meta:
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"
        ordering = ["scheme", "number", "pk"]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}（{self.points}分）"

    def _local_rule_known(self) -> bool:
        """A local rule of this id the writer may read: through restrict(), so another unit's rule
        ids answer exactly as ids nobody has. Without a writer (the command line) any live one."""
        writer = self.updated_by if self.updated_by_id else None
        rules = (
            LocalRule.objects.restrict(writer, "view")
            if writer is not None
            else LocalRule.objects.filter(deleted_at__isnull=True)
        )
        return rules.filter(rule_id=self.rule_id).exists()

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.method == ScoringMethod.RULE:
            known = {r.id for r in default_rules(self.scheme.year if self.scheme_id else 2100)}
            if not self.rule_id:
                errors["rule_id"] = "自动计分的指标须选择依据的规则。"
            elif self.rule_id not in known and not self._local_rule_known():
                errors["rule_id"] = "没有这条规则。默认规则：" + "、".join(sorted(known))
            if self.deduction is None:
                errors["deduction"] = "自动计分的指标须填写每缺一期的扣分。"
        if self.points is not None and self.points <= 0:
            errors["points"] = "分值应大于 0。"
        if self.scheme_id and self.unit_id and self.scheme.unit_id != self.unit_id:
            errors["scheme"] = "考核方案不属于本单位。"
        if errors:
            raise ValidationError(errors)


class AssessmentScore(UnitOwned):
    """One score given to one indicator for one assessed unit: by the unit itself (self-assessment)
    or by the superior that issued the scheme. The scoring unit owns the row."""

    attachable = True  # the evidence for a hand-scored indicator

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="scores", verbose_name="指标"
    )
    assessed = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="被考核单位"
    )
    score = models.DecimalField("得分", max_digits=5, decimal_places=1)
    note = models.TextField("评分说明", blank=True)

    class Meta:
        verbose_name = "考核评分"
        verbose_name_plural = "考核评分"
        ordering = ["indicator", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "indicator", "assessed"],
                                    condition=models.Q(deleted_at__isnull=True), name="assessment_score_unique")
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.indicator.name}：{self.score}"

    def clean(self) -> None:
        if self.indicator_id and self.score is not None and not 0 <= self.score <= self.indicator.points:
            raise ValidationError({"score": f"得分应在 0 到 {self.indicator.points} 之间。"})


LOCAL_RULE = register(Kind(
    model=LocalRule, slug="local", search_code=19, namespace="rules",
    fields=("action", "rule_id", "year", "name", "source", "ledger", "kind", "period", "measure", "threshold",
            "due", "reason"),
    list_fields=("action", "rule_id", "name", "year", "threshold"), kind_field="action",
    search_fields=("rule_id", "name", "reason"), sortable=("rule_id", "action"),
    write_action="manage",  # the unit's managers (第一责任人, 直接责任人) decide its rules
    book="none",
))  # fmt: skip
SCHEME = register(Kind(
    model=AssessmentScheme, slug="scheme", search_code=20, namespace="rules",
    fields=("year", "title", "note"), list_fields=("year", "title"), date=DatedBy("year"),
    search_fields=("title", "note"), sortable=("year", "title"),
    children=(Child("indicators", "indicator", "scheme", ("number", "name", "points", "method", "rule_id")),),
    book="none",
))  # fmt: skip
RATING = register(Kind(
    model=AssessmentScore, slug="rating", search_code=21, namespace="rules",
    fields=("score", "note"), list_fields=("indicator", "assessed", "score"),
    date=DatedBy("indicator__scheme__year"), search_fields=("note", "indicator__name"), sortable=("score",),
    book="none",
))  # fmt: skip
INDICATOR = register(Kind(
    model=Indicator, slug="indicator", search_code=22, namespace="rules",
    fields=("scheme", "number", "name", "points", "method", "rule_id", "deduction", "criteria"),
    list_fields=("scheme", "number", "name", "points", "method"), date=DatedBy("scheme__year"),
    kind_field="method", search_fields=("name", "criteria", "rule_id"), sortable=("number", "points"),
    book="none",
))  # fmt: skip
