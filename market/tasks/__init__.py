"""Celery tasks of the market app, one module per concern; imported here so autodiscovery finds them.

The price-alert tasks (market/tasks/alerts.py) are added here by their author: ``from .alerts import *``.
"""

from market.tasks.alerts import *  # noqa: F403
from market.tasks.intel import *  # noqa: F403
from market.tasks.refresh import *  # noqa: F403
