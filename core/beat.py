"""Default Celery beat schedules, installed by data migrations so staff can edit them in the admin.

A schedule is `name → (task, every, period, expire_seconds, description)`. Installing never overwrites a
row staff already edited; removing deletes only rows still pointing at our task.
"""

from __future__ import annotations

from django.db import migrations

Schedules = dict[str, tuple[str, int, str, int | None, str]]


def install(apps, schedules: Schedules) -> None:
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (task, every, period, expire_seconds, description) in schedules.items():
        # No unique constraint on (every, period): reuse the first match rather than get_or_create.
        interval = IntervalSchedule.objects.filter(every=every, period=period).order_by("id").first()
        if interval is None:
            interval = IntervalSchedule.objects.create(every=every, period=period)
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={
                "task": task,
                "interval": interval,
                "expire_seconds": expire_seconds,
                "description": description,
                "enabled": True,
            },
        )


def uninstall(apps, schedules: Schedules) -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=schedules, task__in=[task for task, *_ in schedules.values()]).delete()


def operation(schedules: Schedules) -> migrations.RunPython:
    """The data-migration step that installs `schedules` (and removes them when migrating back)."""
    return migrations.RunPython(
        lambda apps, schema_editor: install(apps, schedules),
        lambda apps, schema_editor: uninstall(apps, schedules),
    )


def removal(schedules: Schedules) -> migrations.RunPython:
    """The data-migration step that removes `schedules` (and installs them again when migrating back)."""
    return migrations.RunPython(
        lambda apps, schema_editor: uninstall(apps, schedules),
        lambda apps, schema_editor: install(apps, schedules),
    )
