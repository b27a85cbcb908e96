from django.urls import path

from . import views

app_name = "notify"
urlpatterns = [
    path("todo/", views.todo_page, name="todo"),
    path("badge/", views.badge, name="badge"),
    path("messages/", views.inbox, name="inbox"),
    path("messages/<int:pk>/", views.message_open, name="message_open"),
    path("messages/read/", views.mark_all_read, name="mark_all_read"),
    path("messages/setting/", views.my_setting, name="my_setting"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery_detail"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
    path("robots/", views.robots, name="robots"),
    path("robots/<int:pk>/", views.robot_edit, name="robot_edit"),
]
