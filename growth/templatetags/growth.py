"""``{% reminders_due reseller %}``: the workbench's card of follow-ups due
today (the workbench lives in commissions, below this app; a template tag
needs no import). One query."""

from django import template

from ..selectors import reminders_due as reminders_due_select

register = template.Library()


@register.inclusion_tag("growth/_reminders_due.html", takes_context=True)
def reminders_due(context, reseller):
    return {"reminders": reminders_due_select(reseller_id=reseller.pk), "request": context.get("request")}
