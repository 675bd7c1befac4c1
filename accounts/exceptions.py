from django.utils.translation import gettext_lazy as _

from socialshop.errors import Conflict, DomainError


class RoleChangeRefused(Conflict):
    code = "role_change_refused"
    default_message = _("This user's role cannot change that way.")


class TooManyTokens(Conflict):
    code = "too_many_tokens"
    default_message = _("You have too many active API tokens; revoke one first.")


class PhoneTaken(Conflict):
    code = "phone_taken"
    default_message = _("This mobile number is already registered.")


class PhoneMissing(DomainError):
    """The account has no number yet (came in through WeChat): add one first."""

    code = "phone_missing"
    http_status = 400
    default_message = _("Add a mobile number first.")


class PhoneRequired(DomainError):
    """Ordering needs a mobile number on the account (the courier's and our
    order messages' number): what ``accounts.decorators.phone_required`` asks
    of the checkout page, said to an API client."""

    code = "phone_required"
    http_status = 403
    default_message = _("Add your mobile number (by SMS code) before your first order.")


class SmsCodeInvalid(DomainError):
    """The code typed is not the one sent (a wrong try counts towards the lock)."""

    code = "sms_code_wrong"
    http_status = 400
    default_message = _("The verification code is wrong.")


class SmsCodeMissing(DomainError):
    """No code waits for this number: never sent, or already used."""

    code = "sms_code_missing"
    http_status = 400
    default_message = _("Get a verification code first; each code works once.")


class SmsCodeExpired(DomainError):
    code = "sms_code_expired"
    http_status = 400
    default_message = _("The verification code has expired. Get a new one.")


class SmsCodeLocked(DomainError):
    """Five wrong tries: this code no longer works, even typed right."""

    code = "sms_code_locked"
    http_status = 400
    default_message = _("Too many wrong codes. Get a new one.")


class SmsSendUnavailable(DomainError):
    """The SMS provider did not take the message."""

    code = "sms_send_failed"
    http_status = 503
    default_message = _("The SMS could not be sent just now. Please try again in a minute.")


class SmsSendProviderThrottled(DomainError):
    """The SMS provider's own limits for this number refused the message
    (Alibaba Cloud's isv.BUSINESS_LIMIT_CONTROL, Tencent's LimitExceeded.*)."""

    code = "sms_send_throttled"
    http_status = 429
    default_message = _("This number has received too many codes just now. Please try again later.")
    retry_after_seconds = 60


class SmsNumberRefused(DomainError):
    """The SMS provider will not send to this number (not a real mobile, or blocked)."""

    code = "sms_number_refused"
    http_status = 400
    default_message = _("SMS cannot be sent to this number. Check the number.")


class AccountDisabled(DomainError):
    code = "account_disabled"
    http_status = 403
    default_message = _("This account has been disabled.")


class WechatLogInFailed(DomainError):
    """WeChat refused the code exchange (an old or reused code: 40029, 40163)
    or did not answer."""

    code = "wechat_log_in_failed"
    http_status = 400
    default_message = _("WeChat log-in did not work. Please try again.")


class WechatAlreadyLinked(Conflict):
    code = "wechat_already_linked"
    default_message = _("This WeChat account is already linked to another account.")
