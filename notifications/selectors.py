"""Readers: the inbox, its unread count, and what each person chose."""

from django.db.models import QuerySet

from .choices import Channel
from .kinds import KINDS, Kind
from .models import Message, Preference


def inbox_for(*, user) -> QuerySet[Message]:
    return Message.objects.filter(recipient_id=user.pk).order_by("-created_at", "-id")


def inbox_unread_count(*, user) -> int:
    """One index-only count (the partial index ``message_unread``)."""
    return Message.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def channels_effective(kind: Kind, chosen: list[str] | None) -> set[str]:
    """The channels a message of ``kind`` goes through for a person who chose
    ``chosen`` (None: nothing chosen, the kind's defaults). Only the kind's
    allowed channels count, and a locked kind always reaches the inbox."""
    channels = set(kind.defaults if chosen is None else chosen) & set(kind.channels_allowed())
    if kind.locked:
        channels.add(Channel.INBOX)
    return channels


def preferences_for(*, user_ids: list[int], kind: str) -> dict[int, set[str]]:
    """Per person, the channels ``kind`` goes through (one query)."""
    found = dict(Preference.objects.filter(user_id__in=user_ids, kind=kind).values_list("user_id", "channels"))
    return {user_id: channels_effective(KINDS[kind], found.get(user_id)) for user_id in user_ids}


def preferences_of(*, user, audiences: list[str]) -> list[tuple[Kind, set[str]]]:
    """The kinds for ``audiences`` with the channels each goes through for ``user``."""
    found = dict(Preference.objects.filter(user_id=user.pk).values_list("kind", "channels"))
    return [
        (kind, channels_effective(kind, found.get(kind.code))) for kind in KINDS.values() if kind.audience in audiences
    ]


def audiences_of(user) -> list[str]:
    """Whom ``user`` hears as: everyone buys; resellers, supplier staff and operators more."""
    from .choices import Audience

    audiences = [Audience.BUYER]
    if user.is_reseller:
        audiences.append(Audience.RESELLER)
    if user.is_supplier_staff:
        audiences.append(Audience.SUPPLIER)
    if user.is_operator:
        audiences.append(Audience.OPERATOR)
    return audiences
