from django.urls import path

from . import views

app_name = "notices"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/export/", views.export, name="export"),
    path("<int:pk>/remind/", views.remind, name="remind"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/deadline/", views.deadline, name="deadline"),
    path("<int:pk>/attachments/<int:att>/", views.attachment, name="attachment"),
    path("answers/<int:pk>/", views.target, name="target"),
    path("answers/<int:pk>/submit/", views.submit, name="submit"),
    path("submissions/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("submissions/<int:pk>/review/", views.review, name="review"),
    path("submissions/<int:pk>/file/", views.submission_file, name="file"),
]
