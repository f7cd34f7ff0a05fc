from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from flaxu import bench_views, views
from flaxu.openapi import ApiDocsView
from flaxu.sitemaps import PublicPagesSitemap

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("bench/hello", bench_views.hello, name="bench_hello"),  # 404 unless FLAXU_BENCH_HELLO
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sitemap.xml", sitemap, {"sitemaps": {"public": PublicPagesSitemap}}, name="sitemap"),
    path("admin/", admin.site.urls),
    path("staff/", include("adminpanel.urls")),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("access/", include("gatekeeper.urls")),
    path("", include("trading.urls")),
    path("markets/", include("market.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", ApiDocsView.as_view(), name="api_docs"),
    path("api/", include("accounts.api_urls")),
    path("api/", include("gatekeeper.api_urls")),
    path("api/", include("trading.api_urls")),
    path("api/market/", include("market.api_urls")),
]

handler404 = "flaxu.views.not_found"
handler500 = "flaxu.views.server_error"
