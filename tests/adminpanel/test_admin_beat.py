"""Staff edit the beat schedules in the admin (django-celery-beat): how often a task runs, and whether it runs;
the running beat sees the change (its 'schedules changed' marker moves)."""

from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask, PeriodicTasks

from adminpanel.models import StaffAction


def _form_data(form) -> dict:
    """What the browser posts back for `form` unchanged (multi-part widgets split into name_0, name_1…)."""
    data = {}
    for field in form:
        value = field.value()
        widget = field.field.widget
        if hasattr(widget, "widgets"):  # the admin's split date and time
            parts = widget.decompress(value) if value else [None] * len(widget.widgets)
            for index, part in enumerate(parts):
                data[f"{field.html_name}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[field.html_name] = "on"
        elif value is not None:
            data[field.html_name] = value
    return data


def test_staff_change_how_often_an_installed_task_runs_and_switch_it_off(staff_client):
    task = PeriodicTask.objects.filter(interval__isnull=False, enabled=True).order_by("name").first()
    assert task is not None, "the data migrations install the default schedules"
    url = f"/admin/django_celery_beat/periodictask/{task.pk}/change/"
    every_two_hours, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.HOURS)
    changed_before = PeriodicTasks.last_change()

    data = _form_data(staff_client.get(url).context["adminform"].form)
    data["interval"] = str(every_two_hours.pk)
    data.pop("enabled", None)  # unticked
    response = staff_client.post(url, data)  # no reason: refused, nothing changed
    assert response.status_code == 200 and "Why this change" in response.content.decode()
    task.refresh_from_db()
    assert task.enabled is True

    data["change_reason"] = "Exchange rate limits during the listing event"
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response

    task.refresh_from_db()
    assert task.interval == every_two_hours and task.enabled is False
    assert PeriodicTasks.last_change() != changed_before  # beat reloads its schedule
    action = StaffAction.objects.get(action="schedule_change")
    assert action.actor == staff_client.staff and action.reason == "Exchange rate limits during the listing event"
    assert action.detail == {"task": task.name, "changed": ["enabled", "interval"]}


def test_staff_enable_and_disable_tasks_from_the_list(staff_client):
    task = PeriodicTask.objects.filter(enabled=True).order_by("name").first()
    changelist = "/admin/django_celery_beat/periodictask/"
    staff_client.post(changelist, {"action": "disable_tasks", "_selected_action": [task.pk]})
    task.refresh_from_db()
    assert task.enabled is False
    staff_client.post(changelist, {"action": "enable_tasks", "_selected_action": [task.pk]})
    task.refresh_from_db()
    assert task.enabled is True
    logged = StaffAction.objects.order_by("pk").values_list("action", "actor", "detail")
    assert list(logged) == [
        ("schedule_disable_tasks", staff_client.staff.pk, {"tasks": [task.name]}),
        ("schedule_enable_tasks", staff_client.staff.pk, {"tasks": [task.name]}),
    ]


def test_a_task_with_two_schedules_is_refused_with_a_message(staff_client):
    task = PeriodicTask.objects.filter(interval__isnull=False).order_by("name").first()
    url = f"/admin/django_celery_beat/periodictask/{task.pk}/change/"
    data = _form_data(staff_client.get(url).context["adminform"].form)
    data["crontab"] = str(CrontabSchedule.objects.create(minute="0", hour="4").pk)
    data["change_reason"] = "Run at 04:00 instead"
    response = staff_client.post(url, data)
    assert response.status_code == 200 and "Only one of clocked, interval, crontab" in response.content.decode()
    task.refresh_from_db()
    assert task.crontab is None
