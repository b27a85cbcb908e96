from django.apps import AppConfig


class KindAppConfig(AppConfig):
    name = "tests.kindapp"
    label = "kindapp"
    verbose_name = "测试记录类型"
    default_auto_field = "django.db.models.BigAutoField"
