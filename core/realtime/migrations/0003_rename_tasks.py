"""The realtime app moved from flaxu/realtime to core/realtime, so its Celery tasks' names moved too: beat
rows (staff may have edited their interval) keep everything but the task name."""

from django.db import migrations

RENAMED = {
    "flaxu.realtime.tasks.ping": "core.realtime.tasks.ping",
    "flaxu.realtime.tasks.prune_outbox": "core.realtime.tasks.prune_outbox",
    "flaxu.realtime.tasks.notify_user": "core.realtime.tasks.notify_user",
}


def rename(apps, old_to_new):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for old, new in old_to_new.items():
        PeriodicTask.objects.filter(task=old).update(task=new)


class Migration(migrations.Migration):
    dependencies = [("realtime", "0002_default_schedules")]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: rename(apps, RENAMED),
            lambda apps, schema_editor: rename(apps, {new: old for old, new in RENAMED.items()}),
        )
    ]
