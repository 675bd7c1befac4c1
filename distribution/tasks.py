from celery import shared_task

from .services import team_sales_roll_up


@shared_task(acks_late=True)
def team_sales_roll_up_task() -> int:
    """Fold reported sales into team totals; safe to run twice (each sale row
    is folded once, under the tree lock)."""
    return team_sales_roll_up()
