"""The only writers of a reseller's customer book: notes, tags, reminders,
the ranking opt-in; and the beat that announces reminders that fell due."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.phone import mask_name, mask_phone
from distribution.models import Binding, Reseller
from socialshop.events import event_emit

from .exceptions import NotYourCustomer
from .models import CustomerNote, RankingOptIn, Reminder

MAX_TAGS = 8
TAG_MAX_LENGTH = 12
REMINDER_DUE_EVENT = "customer.reminder_due"
NOTIFY_BATCH = 500


def _bound_customer(*, reseller: Reseller, customer_id: int) -> int:
    """``customer_id`` if it is bound to ``reseller`` now, else NotYourCustomer."""
    if not Binding.objects.filter(reseller=reseller, customer_id=customer_id, ended_at__isnull=True).exists():
        raise NotYourCustomer()
    return customer_id


def tags_normalize(text: str) -> str:
    """``"老客, VIP，宝妈"`` → ``"老客,VIP,宝妈"``: commas (either width) or
    spaces split, each tag trimmed and cut, repeats and empties dropped."""
    tags: list[str] = []
    for tag in text.replace("，", ",").replace(" ", ",").split(","):
        tag = tag.strip()[:TAG_MAX_LENGTH]
        if tag and tag not in tags:
            tags.append(tag)
    return ",".join(tags[:MAX_TAGS])


def customer_note_save(*, reseller: Reseller, customer_id: int, tags: str, note: str) -> CustomerNote:
    """Set a bound customer's tags and private note (one row per reseller and customer)."""
    _bound_customer(reseller=reseller, customer_id=customer_id)
    entry, _ = CustomerNote.objects.update_or_create(
        reseller=reseller, customer_id=customer_id, defaults={"tags": tags_normalize(tags), "note": note.strip()}
    )
    return entry


def reminder_add(*, reseller: Reseller, customer_id: int, due_on: date, text: str) -> Reminder:
    _bound_customer(reseller=reseller, customer_id=customer_id)
    return Reminder.objects.create(reseller=reseller, customer_id=customer_id, due_on=due_on, text=text.strip())


def reminder_done(*, reseller: Reseller, reminder_id: int) -> None:
    """Mark one of the reseller's reminders done (another's: NotYourCustomer)."""
    updated = Reminder.objects.filter(pk=reminder_id, reseller=reseller, done_at__isnull=True).update(
        done_at=timezone.now()
    )
    if not updated and not Reminder.objects.filter(pk=reminder_id, reseller=reseller).exists():
        raise NotYourCustomer()


def ranking_opt_in_set(*, reseller: Reseller, shown: bool) -> None:
    if shown:
        RankingOptIn.objects.get_or_create(reseller=reseller)
    else:
        RankingOptIn.objects.filter(reseller=reseller).delete()


def reminders_notify(*, today: date | None = None) -> int:
    """For each open reminder due by ``today`` not yet announced, emit
    ``customer.reminder_due`` (payload: the reseller's user, the customer
    masked, the text and the day) and mark it announced, in one transaction
    per batch; rows another run holds are skipped (``SKIP LOCKED``), so two
    runs never announce one twice."""
    today = today or timezone.localdate()
    announced = 0
    while True:
        with transaction.atomic():
            due = list(
                Reminder.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("reseller", "customer")
                .filter(due_on__lte=today, notified_at__isnull=True, done_at__isnull=True)
                .order_by("id")[:NOTIFY_BATCH]
            )
            if not due:
                return announced
            now = timezone.now()
            for reminder in due:
                event_emit(
                    type=REMINDER_DUE_EVENT,
                    aggregate_type="reminder",
                    aggregate_id=reminder.pk,
                    payload={
                        "reseller_id": reminder.reseller_id,
                        "user_id": reminder.reseller.user_id,
                        "customer": mask_name(reminder.customer.nickname) or mask_phone(reminder.customer.phone),
                        "text": reminder.text,
                        "due_on": reminder.due_on.isoformat(),
                    },
                )
            Reminder.objects.filter(pk__in=[reminder.pk for reminder in due]).update(notified_at=now)
            announced += len(due)
