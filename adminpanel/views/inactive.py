"""Staff dashboard: inactive users (/staff/inactive/): filters, pages, CSV (/staff/inactive.csv), bulk actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from adminpanel.access import staff_required
from adminpanel.forms_dashboard import BULK_ACTIONS, BulkActionForm, InactiveFilterForm
from adminpanel.selectors import inactive as selectors
from adminpanel.selectors.postgres import without_jit
from adminpanel.services.bulk_actions import BulkOutcome, users_bulk_apply
from core.errors import ApplicationError

USERS_PER_PAGE = 50


def _filter_form(request: HttpRequest) -> InactiveFilterForm:
    query = request.GET.copy()
    query.pop("page", None)
    return InactiveFilterForm(query)


def _summary(outcome: BulkOutcome) -> str:
    label = dict(BULK_ACTIONS)[outcome.action]
    text = f"{label}: done for {len(outcome.done)} user{'s' if len(outcome.done) != 1 else ''}"
    if outcome.done:
        text += f" ({', '.join(outcome.done[:10])}{', …' if len(outcome.done) > 10 else ''})"
    return text + "."


@staff_required
def inactive_users(request: HttpRequest) -> HttpResponse:
    bulk = BulkActionForm(request.POST) if request.method == "POST" else BulkActionForm()
    if request.method == "POST" and bulk.is_valid():
        data = bulk.cleaned_data
        try:
            outcome = users_bulk_apply(
                action=data["action"], users=data["users"], actor=request.user, reason=data["reason"], request=request
            )
        except ApplicationError as exc:
            bulk.add_error(None, exc.message)
        else:
            messages.success(request, _summary(outcome))
            for email, why in outcome.refused:
                messages.error(request, f"{email}: {why}")
            return redirect(request.get_full_path())

    form = _filter_form(request)
    valid = form.is_valid()
    filters = form.filters() if valid else selectors.InactiveFilters()  # a bad filter is shown, the list unfiltered
    rows = selectors.inactive_users(now=timezone.now(), filters=filters)
    with without_jit():
        page = Paginator(rows, USERS_PER_PAGE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)  # read inside the block
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": "inactive users",
        "form": form,
        "bulk": bulk,
        "page": page,
        "page_links": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "ellipsis": Paginator.ELLIPSIS,
        "csv_query": query.urlencode(),
        "window_days": selectors.INACTIVE_WINDOW.days,
        "selected": set(request.POST.getlist("users")),  # kept ticked when the form comes back with an error
    }
    status = 200 if valid and not bulk.errors else 400
    return render(request, "adminpanel/inactive.html", context, status=status)


@staff_required
def inactive_users_csv(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    if not form.is_valid():
        errors = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    rows = selectors.inactive_users(now=timezone.now(), filters=form.filters())
    response = StreamingHttpResponse(selectors.inactive_users_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="flaxu-inactive-users-{timezone.now():%Y%m%d}.csv"'
    return response
