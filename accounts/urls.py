from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("sign-up/", views.sign_up, name="sign_up"),
    path("log-in/", views.LogInView.as_view(), name="login"),
    path("log-out/", views.LogOutView.as_view(), name="logout"),
    path("phone/", views.bind_phone, name="bind_phone"),
    path("password/", views.password, name="password"),
    path("phone/change/", views.change_phone, name="change_phone"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<int:session_id>/end/", views.session_end, name="session_end"),
    path("sessions/end-others/", views.sessions_end_others, name="sessions_end_others"),
    path("two-factor/", views.two_factor_enrol, name="two_factor_enrol"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("wechat/", views.wechat_start, name="wechat_start"),
    path("wechat/callback/", views.wechat_callback, name="wechat_callback"),
    path("api-tokens/", views.api_tokens, name="api_tokens"),
    path("api-tokens/<int:token_id>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
]
