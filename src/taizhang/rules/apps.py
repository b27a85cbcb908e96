from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "taizhang.rules"
    label = "rules"
    verbose_name = "责任落实"

    def ready(self) -> None:
        from . import views  # noqa: F401  (registers the local-rule pages like every record kind)
