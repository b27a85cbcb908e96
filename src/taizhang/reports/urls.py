from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/sections/<int:index>/", views.section, name="section"),
    path("<int:pk>/finalise/", views.finalise, name="finalise"),
    path("<int:pk>/header/", views.header, name="header"),
    path("<int:pk>/fix/", views.fix_all, name="fix_all"),
    path("settings/", views.settings_page, name="settings"),
    path("<int:pk>/revise/", views.revise, name="revise"),
    path("<int:pk>/versions/<int:number>/<str:fmt>/", views.download, name="download"),
    path("<int:pk>/versions/<int:number>/figures/<str:key>/", views.figure, name="figure"),
]
