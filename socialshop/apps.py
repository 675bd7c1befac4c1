from django.apps import AppConfig


class SocialshopConfig(AppConfig):
    """The project package as an app: platform-wide tasks, template tags and
    the ``seed_demo`` command that spans every domain."""

    name = "socialshop"
    verbose_name = "Platform"
