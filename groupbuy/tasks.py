from celery import shared_task

from .services import groups_sweep


@shared_task(acks_late=True)
def groups_sweep_task() -> dict[str, int]:
    """Beat: groups whose time ran out fill or fail; lapsed seats are freed. Idempotent."""
    return groups_sweep()
