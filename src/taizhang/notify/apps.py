from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "taizhang.notify"
    label = "notify"
    verbose_name = "消息与待办"

    def ready(self) -> None:
        from taizhang.ledger.views import DASHBOARD_PANELS

        from . import providers, views

        providers.register_all()
        DASHBOARD_PANELS.append(views.todo_panel)
