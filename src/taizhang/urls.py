from django.contrib.auth import views as auth_views
from django.urls import include, path

from taizhang.core import printing
from taizhang.core import views as core_views
from taizhang.ledger import views as ledger_views
from taizhang.orgs import views
from taizhang.orgs.forms import LoginForm
from taizhang.proofread_web import views as proofread_web

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("healthz", core_views.healthz, name="healthz"),
    path("ping", core_views.ping, name="ping"),
    path("", ledger_views.dashboard, name="dashboard"),
    path("unit/switch/", views.switch_unit, name="switch_unit"),
    path("units/<int:pk>/members/", views.unit_members, name="unit_members"),
    path("ledger/", include("taizhang.ledger.urls")),
    path("rules/", include("taizhang.rules.urls")),
    path("reports/", include("taizhang.reports.urls")),
    path("proofread/", proofread_web.proofread_page, name="module_proofread"),
    path("library/", include("taizhang.library.urls")),
    path("notify/", include("taizhang.notify.urls")),
    path("notices/", include("taizhang.notices.urls")),
    path("print/<slug:slug>/<int:pk>.<str:fmt>", printing.print_record, name="print_record"),
    path("print/<slug:slug>.<str:fmt>", printing.print_list, name="print_list"),
    path("attachments/<int:ct>/<int:pk>/upload/", core_views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", core_views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", core_views.attachment_delete, name="attachment_delete"),
    path("attachments/<int:pk>/view/", core_views.attachment_preview, name="attachment_preview"),
    path("attachments/<int:pk>/<str:size>.jpg", core_views.attachment_image, name="attachment_image"),
    path("system/", views.system_index, name="system_index"),
    path("system/units/", views.unit_tree, name="unit_tree"),
    path("system/units/new/", views.unit_form, name="unit_create"),
    path("system/units/<int:pk>/edit/", views.unit_form, name="unit_edit"),
    path("system/accounts/", views.account_list, name="account_list"),
    path("system/accounts/new/", views.account_create, name="account_create"),
    path("system/accounts/<int:pk>/edit/", views.account_edit, name="account_edit"),
    path("system/accounts/<int:pk>/reset/", views.account_reset, name="account_reset"),
    path("security/roles/", views.role_list, name="role_list"),
    path("security/roles/<int:pk>/revoke/", views.role_revoke, name="role_revoke"),
    path("security/admins/", views.admin_role_set, name="admin_role_set"),
    path("security/lockouts/", views.lockout_list, name="lockout_list"),
    path("security/lockouts/<int:pk>/unlock/", views.lockout_unlock, name="lockout_unlock"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export/", views.audit_export, name="audit_export"),
    path("audit/<int:seq>/", views.audit_entry, name="audit_entry"),
]

handler400 = "taizhang.core.views.bad_request"
