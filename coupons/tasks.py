"""Thin Celery wrappers: call one service, safe to run twice."""

from celery import shared_task

from .services import coupons_expire


@shared_task(acks_late=True)
def coupons_expire_task() -> int:
    """Beat, every 10 minutes: unused coupons past their window become expired."""
    return coupons_expire()
