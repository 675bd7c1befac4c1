"""Suppliers ship their parcels (一件代发): one at a time, or many from a CSV
file, where a bad row is reported by its line number and the good rows
still apply (each row is its own transaction)."""

import csv
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Supplier
from socialshop.csvexport import spreadsheet_writer
from socialshop.errors import DomainError, NotFound

from ..choices import Actor, FulfilmentStatus, OrderStatus, Reason, carrier_parse
from ..events import order_event_emit, order_shipped
from ..exceptions import InvalidTransition, ShipmentInvalid
from ..models import FulfilmentGroup, Order
from .lifecycle import orders_delivered_if_complete
from .states import row_locked_with_order, status_set

TRACKING_PATTERN = re.compile(r"^[A-Za-z0-9-]{6,40}$")
CSV_MAX_ROWS = 2000
# the header a CSV may use for each column (the export writes the first)
CSV_COLUMNS = {
    "fulfilment_id": ("fulfilment_id", "发货单号", "id"),
    "carrier": ("carrier", "快递公司"),
    "tracking_number": ("tracking_number", "快递单号", "运单号"),
}


def _locked(fulfilment_id: int, supplier: Supplier | None) -> tuple[Order, FulfilmentGroup]:
    groups = FulfilmentGroup.objects.filter(pk=fulfilment_id)
    return row_locked_with_order(groups if supplier is None else groups.filter(supplier=supplier))


def shipment_check(*, carrier: str, tracking_number: str) -> tuple[str, str]:
    """A known carrier (code or Chinese name) and a plausible tracking number."""
    code = carrier_parse(carrier)
    number = (tracking_number or "").strip().replace(" ", "")
    errors = {}
    if code is None:
        errors["carrier"] = [_("Choose a carrier from the list.")]
    if not TRACKING_PATTERN.match(number):
        errors["tracking_number"] = [_("6 to 40 letters, digits or hyphens.")]
    if errors:
        raise ShipmentInvalid(fields=errors)
    return code, number


def fulfilment_ship(
    *,
    fulfilment_id: int,
    supplier: Supplier | None,
    by: User,
    carrier: str,
    tracking_number: str,
    actor_kind: str = Actor.SUPPLIER,
) -> FulfilmentGroup:
    """Mark a parcel of a paid order shipped with its carrier and tracking
    number; when it was the order's last parcel to ship, the order becomes
    shipped. ``order_shipped`` goes out after commit. ``supplier`` narrows
    to that supplier's parcels (an operator passes None)."""
    with transaction.atomic():
        order, group = _locked(fulfilment_id, supplier)
        code, number = shipment_check(carrier=carrier, tracking_number=tracking_number)
        if order.status not in (OrderStatus.PAID, OrderStatus.SHIPPED) or order.awaiting_group:  # 拼团: not filled
            raise InvalidTransition(current_state=order.status, requested_state=FulfilmentStatus.SHIPPED)
        now = timezone.now()
        status_set(
            group,
            FulfilmentStatus.SHIPPED,
            actor_kind=actor_kind,
            actor=by,
            reason=f"{code} {number}",
            carrier=code,
            tracking_number=number,
            shipped_at=now,
        )
        if not FulfilmentGroup.objects.filter(order=order, status=FulfilmentStatus.TO_SHIP).exists():
            if order.status == OrderStatus.PAID:
                status_set(
                    order,
                    OrderStatus.SHIPPED,
                    actor_kind=Actor.SYSTEM,
                    reason=Reason.EVERY_PARCEL_SHIPPED,
                    shipped_at=now,
                )
        order_event_emit(order_shipped, order_id=order.pk, fulfilment_group_id=group.pk)
    return group


def fulfilment_deliver(
    *, fulfilment_id: int, supplier: Supplier | None, by: User, actor_kind: str = Actor.SUPPLIER
) -> FulfilmentGroup:
    """The carrier says the parcel arrived; the order is delivered when all are."""
    with transaction.atomic():
        order, group = _locked(fulfilment_id, supplier)
        now = timezone.now()
        status_set(
            group,
            FulfilmentStatus.DELIVERED,
            actor_kind=actor_kind,
            actor=by,
            reason=Reason.DELIVERED,
            delivered_at=now,
        )
        orders_delivered_if_complete([order], now)
    return group


@dataclass
class CsvShipping:
    applied: list[int] = field(default_factory=list)  # fulfilment ids shipped
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number in the file, why)


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves GBK
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ShipmentInvalid(_("The file is neither UTF-8 nor GBK text."))


def _header_map(header: list[str]) -> dict[str, int]:
    names = [cell.strip().lower() for cell in header]
    found = {}
    for column, aliases in CSV_COLUMNS.items():
        for index, name in enumerate(names):
            if name in aliases:
                found[column] = index
    missing = [CSV_COLUMNS[column][0] for column in CSV_COLUMNS if column not in found]
    if missing:
        raise ShipmentInvalid(
            _("The first line must name the columns: %(columns)s.")
            % {"columns": ", ".join(aliases[0] + " / " + aliases[1] for aliases in CSV_COLUMNS.values())}
        )
    return found


def fulfilments_ship_csv(*, supplier: Supplier, by: User, content: bytes) -> CsvShipping:
    """Ship many parcels from a CSV (header: ``fulfilment_id, carrier,
    tracking_number`` or the Chinese column names of the export). Each row
    is shipped on its own; a bad row is reported with its line number and
    does not stop the others. ShipmentInvalid when the file as a whole is
    not readable."""
    rows = list(csv.reader(io.StringIO(_decode(content))))
    if not rows:
        raise ShipmentInvalid(_("The file is empty."))
    columns = _header_map(rows[0])
    if len(rows) - 1 > CSV_MAX_ROWS:
        raise ShipmentInvalid(_("At most %(count)d rows per file.") % {"count": CSV_MAX_ROWS})
    result = CsvShipping()
    for line_number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {column: (row[index].strip() if index < len(row) else "") for column, index in columns.items()}
        if not cells["fulfilment_id"].isdigit():
            result.errors.append(
                (line_number, _("Not a shipment number: %(value)s") % {"value": cells["fulfilment_id"]})
            )
            continue
        try:
            fulfilment_ship(
                fulfilment_id=int(cells["fulfilment_id"]),
                supplier=supplier,
                by=by,
                carrier=cells["carrier"],
                tracking_number=cells["tracking_number"],
            )
        except NotFound:
            result.errors.append((line_number, _("No shipment %(id)s of yours.") % {"id": cells["fulfilment_id"]}))
        except InvalidTransition as error:
            result.errors.append((line_number, _("Cannot ship it now: %(state)s.") % {"state": _state_label(error)}))
        except DomainError as error:
            messages = [str(message) for values in error.fields.values() for message in values] or [str(error.message)]
            result.errors.append((line_number, " ".join(messages)))
        else:
            result.applied.append(int(cells["fulfilment_id"]))
    return result


def _state_label(error: InvalidTransition) -> str:
    state = error.extra.get("current_state", "")
    labels = dict(FulfilmentStatus.choices) | dict(OrderStatus.choices)
    return str(labels.get(state, state))


def fulfilments_csv_export(*, supplier: Supplier) -> str:
    """The supplier's parcels to ship, as a CSV to fill in and upload again:
    the shipment number, the address, the items, and empty carrier and
    tracking columns."""
    from ..selectors import fulfilments_for_supplier

    buffer = io.StringIO()
    writer = spreadsheet_writer(buffer)  # recipients and titles are typed by people: no formulas
    writer.writerow(["发货单号", "快递公司", "快递单号", "订单号", "收货人", "手机", "地址", "商品"])
    for group in fulfilments_for_supplier(supplier=supplier, status=FulfilmentStatus.TO_SHIP):
        order = group.order
        items = "；".join(f"{line.title} {line.spec_label} ×{line.quantity}".strip() for line in group.lines.all())
        writer.writerow([group.pk, "", "", order.number, order.recipient_name, order.phone, order.one_line, items])
    return buffer.getvalue()
