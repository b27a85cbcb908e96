from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "taizhang.ledger"
    label = "ledger"
    verbose_name = "台账"

    def ready(self) -> None:
        # Declaring the record kinds registers them (core.views.REGISTRY) for the rules engine, the
        # ledger book and the command line, which do not load the URLconf.
        from . import views  # noqa: F401
