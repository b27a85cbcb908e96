from django.urls import path

from . import citing, views

app_name = "library"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("hours/", views.hours, name="hours"),
    path("materials/files/", views.material_files, name="material_files"),
    path("meetings/<int:pk>/materials/", citing.cite, name="cite"),
    path("meetings/<int:pk>/materials/<int:material>/remove/", citing.uncite, name="uncite"),
]
for kind in views.LIBRARY:
    urlpatterns += kind.urls()
