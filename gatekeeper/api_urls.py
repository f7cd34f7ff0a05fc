from django.urls import path

from gatekeeper import api

urlpatterns = [
    path("gatekeeper/status", api.AccessStatusView.as_view(), name="api_access_status"),
    path("gatekeeper/recheck", api.AccessRecheckView.as_view(), name="api_access_recheck"),
    path("credentials/", api.CredentialListCreateView.as_view(), name="api_credential_list"),
    path("credentials/<int:pk>/", api.CredentialDeleteView.as_view(), name="api_credential_detail"),
]
