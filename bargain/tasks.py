from celery import shared_task

from .services import bargains_sweep


@shared_task(acks_late=True)
def bargains_sweep_task() -> dict[str, int]:
    """Beat: bargains past their time expire; ordered ones follow their orders. Idempotent."""
    return bargains_sweep()
