from django import template

from commissions.models import ReconciliationRun

register = template.Library()


@register.inclusion_tag("admin/commissions/reconciliation_notice.html")
def reconciliation_notice():
    return {"run": ReconciliationRun.objects.first()}
