from django.urls import path

from accounts import api

urlpatterns = [
    path("me/", api.MeView.as_view(), name="api_me"),
    path("tokens/", api.TokenListCreateView.as_view(), name="api_token_list"),
    path("tokens/<int:pk>/", api.TokenRevokeView.as_view(), name="api_token_detail"),
]
