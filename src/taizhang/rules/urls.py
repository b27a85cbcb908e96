from django.urls import path

from . import views

app_name = "rules"
urlpatterns = [
    path("", views.grid, name="grid"),
    path("unit/<int:pk>/", views.grid, name="unit_grid"),
    path("cell/<int:pk>/<slug:rule_id>/<int:year>/<int:index>/", views.cell, name="cell"),
    path("subtree/", views.subtree, name="subtree"),
    path("assessment/", views.assessment_index, name="assessment_index"),
    path("assessment/<int:pk>/<int:unit_pk>/", views.assessment, name="assessment"),
    *views.local_rules.urls(),
    *views.schemes.urls(),
    *views.indicators.urls(),
    *views.ratings.urls(),
]
