from rest_framework.views import APIView


class MeView(APIView):
    pass


class TokenListCreateView(APIView):
    pass


class TokenRevokeView(APIView):
    pass
