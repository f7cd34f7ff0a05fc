from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def _todo(request, *args, **kwargs):
    return HttpResponse("coming")


profile = security_activity = otp_setup = otp_disable = recovery_codes = tokens = token_revoke = _todo
data_export = account_delete = _todo


def otp_verify(request):
    return HttpResponse("coming")
