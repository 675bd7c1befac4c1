from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import LogInForm, SignUpForm
from .services import user_create


@require_http_methods(["GET", "POST"])
def sign_up(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_create(
            phone=form.cleaned_data["phone"],
            password=form.cleaned_data["password1"],
            nickname=form.cleaned_data["nickname"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("home")
    return render(request, "accounts/sign_up.html", {"form": form})


class LogInView(auth_views.LoginView):
    template_name = "accounts/log_in.html"
    authentication_form = LogInForm
    redirect_authenticated_user = True


class LogOutView(auth_views.LogoutView):
    """POST only (Django's rule): a link cannot log anyone out."""
