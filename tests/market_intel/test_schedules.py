"""The widget refreshes are scheduled by default, so staff see (and can edit) them in the admin."""

from django_celery_beat.models import PeriodicTask

from market.tasks.intel import INTEL_SCHEDULES


def test_every_widget_refresh_has_a_default_schedule(db):
    scheduled = dict(PeriodicTask.objects.values_list("name", "task"))
    for name, (task, *_rest) in INTEL_SCHEDULES.items():
        assert scheduled.get(name) == task
