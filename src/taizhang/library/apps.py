from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "taizhang.library"
    verbose_name = "学习资料"

    def ready(self) -> None:
        # every audited write on a unit-owned record keeps the search index current
        from taizhang.core import services
        from taizhang.orgs import services as orgs_services

        from . import search, views  # views registers the record kinds

        services.WRITE_HOOKS.append(search.on_write)
        orgs_services.UNIT_MOVE_HOOKS.append(search.unit_moved)
        from taizhang.ledger.views import DASHBOARD_PANELS

        DASHBOARD_PANELS.append(views.recommended_panel)
        from taizhang.ledger.home import DASHBOARD_TILES

        from . import studies

        DASHBOARD_TILES.append(studies.dashboard_tiles)
        from taizhang.core.views import DETAIL_PANELS

        from . import citing

        DETAIL_PANELS.setdefault("meeting", []).append(citing.meeting_panel)
        DETAIL_PANELS.setdefault("material", []).append(citing.story_panel)
