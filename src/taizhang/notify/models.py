"""Messages to people, the outbox that delivers them, and the reminders already sent.

A `Message` is what a person reads in 消息中心. Each message that must also leave the building gets
one `Delivery` per channel and address (the outbox), written in the same transaction as the message
and its cause; `taizhang notify deliver` sends them and writes one `DeliveryAttempt` per try.
A `Reminder` row exists once per item and period: its unique constraint is what keeps two servers
running the daily pass from reminding anybody twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Message(models.Model):
    """One message to one person: a reminder, a 催办, a notice that has arrived."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="notify_messages",
        verbose_name="收件人",
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
        verbose_name="发送人",
    )
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name="单位"
    )
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=500, blank=True)
    category = models.CharField("类别", max_length=32, blank=True)
    # "label:id" of what caused it (a notice, a rectification), shown and searched by nobody
    cause = models.CharField("起因", max_length=120, blank=True)
    # the same key to the same person is written once (a 催办 clicked twice, a retried request)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notify_msg_inbox")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=Q(dedupe_key__isnull=False),
                name="notify_message_once",
            )
        ]

    def __str__(self) -> str:
        return self.subject


class Channel(models.TextChoices):
    EMAIL = "email", "电子邮件"
    WEBHOOK = "webhook", "群机器人"


class RobotKind(models.TextChoices):
    WECOM = "wecom", "企业微信"
    DINGTALK = "dingtalk", "钉钉"
    GOVWX = "govwx", "政务微信"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已送达"
    FAILED = "failed", "发送失败"


class Delivery(models.Model):
    """One message to be sent over one channel to one address: the outbox row.

    A worker claims a row by setting `lease_until` with a conditional update (on PostgreSQL after
    `select_for_update(skip_locked)`), so two workers never send the same row, and a worker that
    dies leaves a lease that runs out and lets the next worker resume.
    """

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="deliveries", verbose_name="消息"
    )
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    robot = models.CharField("机器人类型", max_length=16, choices=RobotKind.choices, blank=True)
    target = models.CharField("地址", max_length=500)
    # a webhook's signing secret (钉钉 加签), copied from the configuration it was sent under
    secret = models.CharField(max_length=200, blank=True)
    state = models.CharField(
        "状态", max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=64, blank=True)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    created_at = models.DateTimeField("写入时间", auto_now_add=True)
    sent_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = "外发投递"
        verbose_name_plural = "外发投递"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="notify_delivery_due")]
        constraints = [
            models.UniqueConstraint(fields=["message", "channel", "target"], name="notify_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.target_label}"

    @property
    def target_label(self) -> str:
        """A webhook's address carries its key: shown up to the path only."""
        if self.channel == Channel.WEBHOOK:
            return self.target.split("?", 1)[0]
        return self.target


class DeliveryAttempt(models.Model):
    """One try at sending one outbox row, successful or not."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="tries", verbose_name="投递"
    )
    number = models.PositiveSmallIntegerField("第几次")
    at = models.DateTimeField("时间")
    ok = models.BooleanField("成功")
    error = models.CharField("错误", max_length=500, blank=True)
    worker = models.CharField("发送进程", max_length=64, blank=True)
    duration_ms = models.PositiveIntegerField("用时（毫秒）", default=0)

    class Meta:
        verbose_name = "投递尝试"
        verbose_name_plural = "投递尝试"
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="notify_attempt_once")]

    def __str__(self) -> str:
        return f"{self.delivery_id}#{self.number}"


class ReminderKind(models.TextChoices):
    DUE = "due", "到期前提醒"
    OVERDUE = "overdue", "整改逾期"


class Reminder(models.Model):
    """A reminder about one item for one period, sent once: the row is the proof it went out.

    `item` names the item ("rule:<id>" or "rectification:<pk>"), `period` its period ("2026-H2",
    or the deadline for a rectification). Inserting a second row for the same key fails in the
    database, so a pass running on several servers at once reminds each person once.
    """

    kind = models.CharField("类别", max_length=16, choices=ReminderKind.choices)
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    item = models.CharField("事项", max_length=120)
    period = models.CharField("期间", max_length=40)
    due_on = models.DateField("到期日")
    recipients = models.PositiveSmallIntegerField("提醒人数", default=0)
    created_at = models.DateTimeField("提醒时间", auto_now_add=True)

    class Meta:
        verbose_name = "已发提醒"
        verbose_name_plural = "已发提醒"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "unit", "item", "period"], name="notify_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.item} {self.period}"


class ChannelSetting(models.Model):
    """Where one person's or one unit's messages also go, beside 消息中心.

    A person's row switches e-mail on or off for them (the address is their account's). A unit's
    row names its group robot: every message to a person of that unit about that unit also goes
    to the robot. Exactly one of `user` and `unit` is set.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notify_setting",
        verbose_name="人员",
    )
    unit = models.OneToOneField(
        "orgs.Unit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notify_setting",
        verbose_name="单位",
    )
    email = models.BooleanField("接收电子邮件", default=True)
    robot = models.CharField("群机器人类型", max_length=16, choices=RobotKind.choices, blank=True)
    webhook_url = models.CharField("群机器人地址", max_length=500, blank=True)
    webhook_secret = models.CharField("加签密钥", max_length=200, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "消息渠道设置"
        verbose_name_plural = "消息渠道设置"
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, unit__isnull=True) | Q(user__isnull=True, unit__isnull=False),
                name="notify_setting_one_owner",
            )
        ]

    def __str__(self) -> str:
        return str(self.user or self.unit)
