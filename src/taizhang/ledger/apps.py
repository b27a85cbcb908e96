from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "taizhang.ledger"
    label = "ledger"
    verbose_name = "台账"

    def ready(self) -> None:
        from taizhang.core.views import DETAIL_PANELS

        from . import paper, signin

        paper.install()  # the ledgers' paper forms (core/printing.py)
        DETAIL_PANELS.setdefault("meeting", []).append(signin.detail_panel)  # 扫码签到
