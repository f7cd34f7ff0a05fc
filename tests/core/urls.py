"""A page and an API endpoint that let an ApplicationError through, as a view that forgot to catch one would."""

from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from core.errors import Conflict, Refused, Unavailable
from flaxu.urls import urlpatterns as project_urls

ERRORS = {
    "refused": Refused("That name is taken.", field="name"),
    "conflict": Conflict("Already connected."),
    "unavailable": Unavailable("BingX could not be reached; nothing changed."),
}


def page(request, kind):
    raise ERRORS[kind]


@api_view(["GET"])
@permission_classes([AllowAny])
def api(request, kind):
    raise ERRORS[kind]


urlpatterns = [path("page/<str:kind>/", page), path("api/<str:kind>/", api), *project_urls]  # pages link home etc.
