"""Portfolio pages, under /portfolio/ (included by trading/urls.py)."""

from django.urls import path

from trading.portfolio import views

urlpatterns = [
    path("", views.portfolio_page, name="portfolio"),
    path("positions/", views.portfolio_positions, name="portfolio_positions"),
    path("history/", views.history_page, name="portfolio_history"),
    path("history.csv", views.history_csv, name="portfolio_history_csv"),
    path("performance/", views.performance_page, name="portfolio_performance"),
]
