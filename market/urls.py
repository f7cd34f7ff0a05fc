"""Markets pages, mounted at /markets/."""

from django.urls import path

from market import views

urlpatterns = [
    path("", views.markets, name="markets"),
    path("widgets/<slug:name>/", views.widget, name="market_widget"),
    path("alerts/", views.alerts, name="market_alerts"),
    path("alerts/<int:pk>/delete/", views.alert_delete, name="market_alert_delete"),
]
