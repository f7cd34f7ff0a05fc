from django.urls import path

from gatekeeper import views

urlpatterns = [
    path("", views.status, name="access_status"),
    path("recheck/", views.recheck, name="access_recheck"),
    path("connect/", views.connect, name="access_connect"),
    path("key/remove/", views.remove_key, name="access_key_remove"),
]
