from django.contrib.admin.apps import AdminConfig


class FlaxuAdminConfig(AdminConfig):
    default_site = "flaxu.admin_site.FlaxuAdminSite"
