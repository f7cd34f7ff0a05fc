from django.urls import path

from accounts import api

urlpatterns = [
    path("me/", api.MeView.as_view(), name="api_me"),
    path("tokens/", api.TokenListCreateView.as_view(), name="api_token_list"),
    path("tokens/<int:pk>/", api.TokenRevokeView.as_view(), name="api_token_detail"),
    path("notifications/", api.NotificationListView.as_view(), name="api_notification_list"),
    path("notifications/read/", api.NotificationsReadView.as_view(), name="api_notifications_read"),
]
