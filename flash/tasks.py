"""Thin Celery wrappers: call one service, safe to run twice."""

from celery import shared_task

from .services import flash_sweep


@shared_task(acks_late=True)
def flash_sweep_task() -> dict[str, int]:
    """Beat, every 15 s: slots open and close, unused admissions go back."""
    return flash_sweep()
