from django.urls import path

from accounts import views, views_credentials, views_notifications

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("security/", views.security_activity, name="security_activity"),
    path("2fa/", views.otp_setup, name="otp_setup"),
    path("2fa/verify/", views.otp_verify, name="otp_verify"),
    path("2fa/disable/", views.otp_disable, name="otp_disable"),
    path("2fa/recovery-codes/", views.recovery_codes, name="otp_recovery_codes"),
    path("tokens/", views.tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="api_token_revoke"),
    path("keys/", views_credentials.credentials, name="credentials"),
    path("keys/<int:pk>/delete/", views_credentials.credential_delete, name="credential_delete"),
    path("notifications/", views_notifications.notifications, name="notifications"),
    path("notifications/badge/", views_notifications.notification_badge, name="notification_badge"),
    path("notifications/read/", views_notifications.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/open/", views_notifications.notification_open, name="notification_open"),
    path("data/export/", views.data_export, name="data_export"),
    path("delete/", views.account_delete, name="account_delete"),
]
