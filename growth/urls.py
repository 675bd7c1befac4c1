from django.urls import path

from . import views

app_name = "growth"

urlpatterns = [
    path("my-shop/customers/", views.customer_list, name="customers"),
    path("my-shop/customers/<int:customer_id>/", views.customer_detail, name="customer"),
    path("my-shop/customers/<int:customer_id>/reminders/", views.reminder_create, name="reminder_create"),
    path("my-shop/reminders/<int:reminder_id>/done/", views.reminder_finish, name="reminder_done"),
    path("my-shop/numbers/", views.numbers, name="numbers"),
    path("my-shop/numbers/ranking/", views.ranking_visibility, name="ranking_visibility"),
    path("ops/", views.dashboard_page, name="dashboard"),
    path("ops/export.csv", views.dashboard_csv, name="dashboard_csv"),
    path("ops/export.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
]
