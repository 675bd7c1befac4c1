from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import user_session_on_log_in

        user_logged_in.connect(user_session_on_log_in, dispatch_uid="accounts.user_session_on_log_in")
