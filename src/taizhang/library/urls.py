from django.urls import path

from . import views

app_name = "library"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("hours/", views.hours, name="hours"),
    path("materials/files/", views.material_files, name="material_files"),
]
for kind in views.LIBRARY:
    urlpatterns += kind.urls()
