from django.urls import path

from . import views

app_name = "commissions"

urlpatterns = [
    path("money/", views.money, name="money"),
    path("money/statement.csv", views.statement_csv, name="statement"),
    path("money/withdrawal-quote/", views.withdrawal_quote, name="withdrawal_quote"),
    # the reseller's pages that show the engine's figures (shops and orders sit below and cannot)
    path("my-shop/", views.workbench, name="workbench"),
    path("my-shop/catalogue/", views.pick_catalogue, name="catalogue"),
    path("my-shop/orders/", views.shop_order_list, name="shop_orders"),
    path("my-shop/orders/<int:order_id>/", views.shop_order_detail, name="shop_order"),
    path("my-shop/grade/", views.grade_page, name="grade"),
    path("money/payout-accounts/", views.payout_accounts, name="payout_accounts"),
    path(
        "money/payout-accounts/<int:account_id>/remove/", views.payout_account_remove_view, name="payout_account_remove"
    ),
    path("money/withdrawals/<int:withdrawal_id>/accept/", views.withdrawal_accept, name="withdrawal_accept"),
    # WeChat Pay's transfer notifications (registered nowhere: each transfer names this URL)
    path("payouts/<slug:channel>/notify/", views.payout_notify, name="payout_notify"),
    path("ops/money/", views.money_report, name="report"),
    path("ops/money/reconcile/", views.reconcile_now, name="reconcile_now"),
    path("ops/money/withheld-tax.csv", views.withheld_tax_csv, name="withheld_tax"),
]
