"""The widget refreshes are scheduled by default, so staff see (and can edit) them in the admin."""

from django_celery_beat.models import PeriodicTask

from market.tasks import intel


def test_every_widget_refresh_has_a_default_schedule(db):
    scheduled = set(PeriodicTask.objects.filter(enabled=True).values_list("task", flat=True))
    refreshes = [name for name in intel.__all__ if name.startswith("refresh_")]
    assert len(refreshes) == 8
    for name in refreshes:
        assert f"market.tasks.intel.{name}" in scheduled
