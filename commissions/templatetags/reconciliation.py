from django import template

from commissions.models import ReconciliationRun
from commissions.reconciliation import check_label

register = template.Library()


@register.inclusion_tag("admin/commissions/reconciliation_notice.html")
def reconciliation_notice():
    run = ReconciliationRun.objects.first()
    broken = [(check_label(check), found) for check, found in run.breaks.items() if found] if run else []
    return {"run": run, "broken": broken}
