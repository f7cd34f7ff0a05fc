"""The staff dashboard (/staff/): every page behind adminpanel.access.staff_required."""

from django.urls import path

from adminpanel.views import errors, health, inactive, overview

urlpatterns = [
    path("", overview.overview, name="staff_overview"),
    path("inactive/", inactive.inactive_users, name="staff_inactive"),
    path("inactive.csv", inactive.inactive_users_csv, name="staff_inactive_csv"),
    path("health/", health.health, name="staff_health"),
    path("errors/", errors.errors, name="staff_errors"),
    path("errors/<int:pk>/", errors.error_detail, name="staff_error_detail"),
]
