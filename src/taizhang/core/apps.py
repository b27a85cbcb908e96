from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "taizhang.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.core import checks

        from .kinds import check_kinds

        checks.register(check_kinds)
