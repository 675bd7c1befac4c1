from django.urls import path

from . import views

app_name = "commissions"

urlpatterns = [
    path("money/", views.money, name="money"),
    path("money/statement.csv", views.statement_csv, name="statement"),
    path("ops/money/", views.money_report, name="report"),
    path("ops/money/reconcile/", views.reconcile_now, name="reconcile_now"),
]
