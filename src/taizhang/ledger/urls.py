from django.urls import path

from . import signin, views

app_name = "ledger"
urlpatterns = [
    path("", views.index, name="index"),
    path("book/", views.book, name="book"),
    path("risk/<int:pk>/rectify/", views.risk_rectify, name="risk_rectify"),
    path("rectification/<int:pk>/complete/", views.rectification_complete, name="rectification_complete"),
    path("review/<int:pk>/submit/", views.review_submit, name="review_submit"),
    path("review/<int:pk>/decide/", views.review_decide, name="review_decide"),
    path("review/<int:pk>/publish/", views.review_publish, name="review_publish"),
    path("evidence/<slug:slug>/<int:pk>/", views.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/remove/", views.evidence_remove, name="evidence_remove"),
]
for ledger in views.LEDGERS:
    urlpatterns += ledger.urls()
urlpatterns += signin.urlpatterns  # 扫码签到 and the 签到表
