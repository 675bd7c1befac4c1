from django.conf import settings
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import SmsPurpose
from accounts.exceptions import PhoneMissing
from accounts.middleware import client_address, client_user_agent
from accounts.phone import mask_phone
from accounts.selectors import user_sessions_list
from accounts.services import (
    ClientSeen,
    phone_change_check_new,
    sms_code_send,
    user_phone_change,
    user_session_end,
    user_sessions_end_others,
)
from accounts.throttles import sms_send_retry_after
from socialshop.api.exceptions import error_body
from socialshop.api.schema import ERRORS_AUTHENTICATED, NOT_FOUND, error_response

from .serializers import (
    MeSerializer,
    PhoneChangeRequestSerializer,
    PhoneCodeRequestSerializer,
    SessionsEndedSerializer,
    SessionSerializer,
    SmsCodeSentSerializer,
)


class MeView(APIView):
    @extend_schema(
        summary="Who am I",
        description="The authenticated caller: a quick way for a client to check its token.",
        responses={200: MeSerializer, **ERRORS_AUTHENTICATED},
        examples=[
            OpenApiExample(
                "A reseller",
                value={
                    "id": 7,
                    "phone": "13700000001",
                    "nickname": "林小美",
                    "role": "reseller",
                    "date_joined": "2026-11-01T10:00:00+08:00",
                },
                response_only=True,
            )
        ],
        tags=["account"],
    )
    def get(self, request):
        return Response(MeSerializer(request.user).data)


SEND_REFUSED = error_response(
    "A send limit refused it (as `POST /api/v1/auth/sms-codes/`): wait `retry_after_seconds` (Retry-After).",
    "sms_send_throttled",
    "发送太频繁，请 42 秒后再试。",
    retry_after_seconds=42,
    limit="phone_interval",
)


class SessionListView(APIView):
    @extend_schema(
        summary="My logged-in browsers",
        description="The browser sessions of the account (the page's 登录设备), the most recently seen first.",
        responses={200: SessionSerializer(many=True), **ERRORS_AUTHENTICATED},
        tags=["account"],
    )
    def get(self, request):
        return Response(SessionSerializer(user_sessions_list(user=request.user), many=True).data)


class SessionEndView(APIView):
    @extend_schema(
        summary="Log out one browser",
        request=None,
        responses={204: None, 404: NOT_FOUND, **ERRORS_AUTHENTICATED},
        tags=["account"],
    )
    def delete(self, request, id: int):
        user_session_end(user=request.user, session_id=id, client=_client_seen(request))
        return Response(status=204)


class SessionsEndAllView(APIView):
    @extend_schema(
        summary="Log out every browser",
        description=(
            "Ends every browser session of the account, listed or not (API tokens are not sessions: revoke "
            "them on the API tokens page)."
        ),
        request=None,
        responses={200: SessionsEndedSerializer, **ERRORS_AUTHENTICATED},
        tags=["account"],
    )
    def post(self, request):
        ended = user_sessions_end_others(user=request.user, keep_session_key=None, client=_client_seen(request))
        return Response({"ended": ended})


class PhoneCodeView(APIView):
    @extend_schema(
        summary="Send a code to change the number",
        description=(
            "Changing the number needs two codes: `to: current` sends one to the account's number, `to: new` "
            "one to the new number, which must be nobody's. Then `POST /api/v1/me/phone/`."
        ),
        request=PhoneCodeRequestSerializer,
        responses={
            202: SmsCodeSentSerializer,
            400: error_response(
                "Not a mainland mobile number (`validation_error`), or an account without a number "
                "(`phone_missing`: add one first).",
                "validation_error",
                "Some fields are not valid.",
            ),
            409: error_response("The new number is someone's already.", "phone_taken", "该手机号已注册。"),
            429: SEND_REFUSED,
            503: error_response("The SMS provider did not take it.", "sms_send_failed", "短信发送失败，请稍后再试。"),
            **{k: v for k, v in ERRORS_AUTHENTICATED.items() if k != 429},
        },
        tags=["account"],
    )
    def post(self, request):
        serializer = PhoneCodeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not request.user.phone:
            raise PhoneMissing()
        if data["to"] == "current":
            phone, purpose = request.user.phone, SmsPurpose.CHANGE_PHONE_OLD
        else:
            phone, purpose = phone_change_check_new(user=request.user, phone=data["phone"]), SmsPurpose.CHANGE_PHONE_NEW
        refused = sms_send_retry_after(request, phone=phone)
        if refused is not None:
            body = error_body(
                "sms_send_throttled", refused.message, retry_after_seconds=refused.retry_after, limit=refused.limit
            )
            return Response(body, status=429, headers={"Retry-After": str(refused.retry_after)})
        sms_code_send(phone=phone, purpose=purpose)
        body = {
            "phone": mask_phone(phone),
            "expires_in_seconds": settings.SMS_CODE_TTL_SECONDS,
            "resend_after_seconds": settings.SMS_CODE_RESEND_SECONDS,
        }
        return Response(SmsCodeSentSerializer(body).data, status=202)


class PhoneChangeView(APIView):
    @extend_schema(
        summary="Change the number",
        description=(
            "With the code sent to the current number and the one sent to the new number. Every browser "
            "session of the account ends; the change is recorded and announced (event `account.phone_changed`)."
        ),
        request=PhoneChangeRequestSerializer,
        responses={
            200: MeSerializer,
            400: error_response(
                "A code is wrong (`sms_code_wrong`, with `attempts_left`), missing, expired or locked, or the input "
                "is not valid (`validation_error`).",
                "sms_code_wrong",
                "验证码错误，还可以再试 4 次。",
                attempts_left=4,
            ),
            409: error_response("The new number is someone's already.", "phone_taken", "该手机号已注册。"),
            **ERRORS_AUTHENTICATED,
        },
        tags=["account"],
    )
    def post(self, request):
        serializer = PhoneChangeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_phone_change(
            user=request.user, keep_session_key=None, client=_client_seen(request), **serializer.validated_data
        )
        return Response(MeSerializer(user).data)


def _client_seen(request) -> ClientSeen:
    return ClientSeen(ip_address=client_address(request), user_agent=client_user_agent(request))
