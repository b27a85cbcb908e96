from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "taizhang.orgs"
    label = "orgs"
    verbose_name = "组织与账号"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (login, logout and lockout audit rows)
