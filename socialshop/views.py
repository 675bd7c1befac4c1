from django.shortcuts import render

from shops.selectors import shop_list_public

HOME_SHOP_COUNT = 24


def home(request):
    return render(request, "home.html", {"shops": shop_list_public()[:HOME_SHOP_COUNT]})
