"""Log-in by SMS code for REST clients (a mini-program, an app): ask for a
code, then trade the code for an API token. The limits are the pages'
(``accounts.throttles``): a refused request answers 429 with Retry-After."""

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import Throttled
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import SmsPurpose
from accounts.exceptions import SmsSendProviderThrottled
from accounts.phone import mask_phone
from accounts.services import api_token_create, sms_code_send, user_log_in_by_sms
from accounts.throttles import log_in_retry_after, sms_send_retry_after
from socialshop.api.exceptions import error_body
from socialshop.api.schema import THROTTLED, error_response

from .serializers import (
    SmsCodeRequestSerializer,
    SmsCodeSentSerializer,
    SmsLogInRequestSerializer,
    SmsLogInSerializer,
)

SEND_THROTTLED = error_response(
    "A send limit refused it: one code a minute and ten a day per number, and limits per address and for "
    "the whole site, or the SMS provider's own limits for the number (`provider`). `limit` says which; wait "
    "`retry_after_seconds` (also the Retry-After header).",
    "sms_send_throttled",
    "发送太频繁，请 42 秒后再试。",
    retry_after_seconds=42,
    limit="phone_interval",
)


class SmsCodeView(APIView):
    """Anyone may ask; the answer never says whether the number has an account."""

    authentication_classes = []  # no session, so no CSRF dance for a client that has none
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Send a log-in code by SMS",
        description=(
            "Sends a 6-digit code to the number, good for 5 minutes and once; a newer code replaces it. "
            "Use it with `POST /api/v1/auth/sms-log-in/`. A number with no account gets one when it logs in."
        ),
        request=SmsCodeRequestSerializer,
        responses={
            202: SmsCodeSentSerializer,
            400: error_response(
                'Not a mainland mobile number: a `validation_error` with `field_codes` `{"phone": ["invalid_phone"]}`; '
                "or a number the SMS provider will not send to (`sms_number_refused`).",
                "validation_error",
                "Some fields are not valid.",
                fields={"phone": ["请输入中国大陆手机号。"]},
                field_codes={"phone": ["invalid_phone"]},
            ),
            429: SEND_THROTTLED,
            503: error_response("The SMS provider did not take it.", "sms_send_failed", "短信发送失败，请稍后再试。"),
        },
        examples=[
            OpenApiExample("A number", value={"phone": "13800138000"}, request_only=True),
            OpenApiExample(
                "Sent",
                value={"phone": "138****8000", "expires_in_seconds": 300, "resend_after_seconds": 60},
                response_only=True,
                status_codes=["202"],
            ),
        ],
        tags=["account"],
    )
    def post(self, request):
        serializer = SmsCodeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        phone = serializer.validated_data["phone"]
        refused = sms_send_retry_after(request, phone=phone)
        if refused is not None:
            body = error_body(
                "sms_send_throttled",
                refused.message,
                retry_after_seconds=refused.retry_after,
                limit=refused.limit,
            )
            return Response(body, status=429, headers={"Retry-After": str(refused.retry_after)})
        try:
            sms_code_send(phone=phone, purpose=SmsPurpose.LOG_IN)
        except SmsSendProviderThrottled as error:  # the provider's own limit for this number
            body = error_body(error.code, error.message, **error.extra)
            return Response(body, status=429, headers={"Retry-After": str(error.extra["retry_after_seconds"])})
        body = {
            "phone": mask_phone(phone),
            "expires_in_seconds": settings.SMS_CODE_TTL_SECONDS,
            "resend_after_seconds": settings.SMS_CODE_RESEND_SECONDS,
        }
        return Response(SmsCodeSentSerializer(body).data, status=status.HTTP_202_ACCEPTED)


class SmsLogInView(APIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Log in (or sign up) with an SMS code",
        description=(
            "Trades the code from `POST /api/v1/auth/sms-codes/` for a new API token of the number's account, "
            "creating the account (a customer with no password) when the number has none. A code works once; "
            "five wrong codes lock it (ask for a new one). Attempts are limited per number and per address "
            "like the log-in page's."
        ),
        request=SmsLogInRequestSerializer,
        responses={
            200: SmsLogInSerializer,
            400: error_response(
                "The code is wrong (`attempts_left` says how many tries remain), missing or used "
                "(`sms_code_missing`), expired (`sms_code_expired`) or locked after five wrong tries "
                "(`sms_code_locked`); or the input is not valid (`validation_error`).",
                "sms_code_wrong",
                "验证码错误，还可以再试 4 次。",
                attempts_left=4,
            ),
            403: error_response("The account is disabled.", "account_disabled", "该账号已停用。"),
            429: THROTTLED,
        },
        examples=[
            OpenApiExample("A code", value={"phone": "13800138000", "code": "042917"}, request_only=True),
            OpenApiExample(
                "Logged in",
                value={
                    "token": "sst_9bGq…",
                    "created": False,
                    "user": {
                        "id": 7,
                        "phone": "13800138000",
                        "nickname": "林小美",
                        "role": "customer",
                        "date_joined": "2026-11-01T10:00:00+08:00",
                    },
                },
                response_only=True,
                status_codes=["200"],
            ),
        ],
        tags=["account"],
    )
    def post(self, request):
        serializer = SmsLogInRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        retry_after = log_in_retry_after(request, account=data["phone"])
        if retry_after:
            raise Throttled(wait=retry_after)
        user, created = user_log_in_by_sms(phone=data["phone"], code=data["code"])
        _row, token = api_token_create(user=user, name=data["token_name"], revoke_oldest=True)
        return Response(SmsLogInSerializer({"token": token, "created": created, "user": user}).data)
