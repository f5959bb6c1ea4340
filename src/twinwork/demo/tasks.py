"""The demo's background job: its personal models go on sale once their training succeeds."""

from __future__ import annotations

from huey import crontab

from twinwork.demo.training import activate_demo_models
from twinwork.kit.jobs import huey, run_in_unit_of_work


# Every minute, as creation's reaper: a cheap look at the demo's two models (nothing to do on
# an installation without the demo's freelancers).
@huey.periodic_task(crontab(minute="*"))
def activate_trained_demo_models() -> list[int]:
    return run_in_unit_of_work(activate_demo_models)
