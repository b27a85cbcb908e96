from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "taizhang.notices"
    verbose_name = "通知报送"

    def ready(self) -> None:
        from taizhang.notify import todo

        from . import services

        todo.register(services.todo_items)
        # the auditor's page names this app's own actions in Chinese
        from taizhang.core import audit

        audit.ACTION_LABELS.update(
            {"withdraw": "撤回", "accepted": "审核通过", "returned": "退回", "remind": "催办"}
        )
