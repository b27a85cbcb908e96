from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/sections/<int:index>/", views.section, name="section"),
    path("<int:pk>/finalise/", views.finalise, name="finalise"),
    path("<int:pk>/revise/", views.revise, name="revise"),
    path("<int:pk>/versions/<int:number>/<str:fmt>/", views.download, name="download"),
    path("<int:pk>/versions/<int:number>/figures/<str:key>/", views.figure, name="figure"),
]
