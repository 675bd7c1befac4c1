from django.core.paginator import InvalidPage
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class PagePagination(PageNumberPagination):
    """Every list in the API pages the same way: ``?page=N&page_size=M`` (at
    most 100), answering ``{"count", "next", "previous", "results"}``.

    A page that is not a positive number, or lies past the last page, is a
    400 with the error on ``page`` (not DRF's 404: the list exists, the
    parameter is wrong)."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        paginator = self.django_paginator_class(queryset, page_size)
        try:
            self.page = paginator.page(self.get_page_number(request, paginator))
        except InvalidPage as error:
            raise ValidationError({self.page_query_param: [str(_("No such page."))]}) from error
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return list(self.page)
