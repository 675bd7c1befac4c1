"""A fake Alibaba Cloud SMS (短信服务, dysmsapi 2017-05-25), ``SendSms`` as
the platform uses it through Alibaba Cloud's official SDK.

It checks what Alibaba Cloud checks of a signature V3 request
(``ACS3-HMAC-SHA256``, https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature):

- ``Authorization: ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<h1;h2…>,Signature=<hex>``;
  an unknown AccessKeyId is ``InvalidAccessKeyId.NotFound`` (404);
- the signed headers include ``host`` and every ``x-acs-*`` header sent;
  ``x-acs-content-sha256`` is the SHA-256 of the body;
- ``x-acs-date`` is within 15 minutes of now (``InvalidTimeStamp.Expired``)
  and ``x-acs-signature-nonce`` is new (``SignatureNonceUsed``);
- the signature is HMAC-SHA256, under the AccessKey secret, of
  ``ACS3-HMAC-SHA256\\n`` + hex SHA-256 of the canonical request (method,
  path, the query sorted and percent-encoded, the signed headers lower-cased
  ``name:value`` lines, the signed header names, the body's hash); else
  ``SignatureDoesNotMatch`` (400).

A request that passes answers as the service does, HTTP 200 with ``Code``:
``OK`` and a ``BizId``; or a business refusal (``isv.BUSINESS_LIMIT_CONTROL``
for a number past Alibaba Cloud's own frequency limits,
``isv.MOBILE_NUMBER_ILLEGAL``, ``isv.SMS_SIGNATURE_ILLEGAL``,
``isv.SMS_TEMPLATE_ILLEGAL``, ``isv.TEMPLATE_MISSING_PARAMETERS``). Tests set
``refusals[phone]`` to make it refuse a number.
"""

import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from .server import FakeGateway, Request, Response

ALGORITHM = "ACS3-HMAC-SHA256"
TIMESTAMP_WINDOW = timedelta(minutes=15)

MESSAGES = {
    "isv.BUSINESS_LIMIT_CONTROL": "触发分钟级流控Permits:1",
    "isv.DAY_LIMIT_CONTROL": "触发天级流控Permits:10",
    "isv.MOBILE_NUMBER_ILLEGAL": "非法手机号",
    "isv.SMS_SIGNATURE_ILLEGAL": "该账号下找不到对应签名",
    "isv.SMS_TEMPLATE_ILLEGAL": "该账号下找不到对应模板",
    "isv.TEMPLATE_MISSING_PARAMETERS": "模板变量中存在未赋值变量",
}


def canonical_query(query: dict[str, str]) -> str:
    """Sorted by name, names and values percent-encoded (RFC 3986: only
    A-Z a-z 0-9 - _ . ~ left as they are)."""
    return "&".join(f"{quote(name, safe='~')}={quote(value, safe='~')}" for name, value in sorted(query.items()))


def acs3_signature(
    *,
    secret: str,
    method: str,
    path: str,
    query: dict[str, str],
    headers: dict[str, str],
    signed: list[str],
    body: bytes,
) -> str:
    """Alibaba Cloud's V3 signature of a request, as the service recomputes it."""
    lowered = {name.lower(): value.strip() for name, value in headers.items()}
    canonical_headers = "".join(f"{name}:{lowered.get(name, '')}\n" for name in signed)
    canonical_request = "\n".join(
        [
            method,
            path or "/",
            canonical_query(query),
            canonical_headers,
            ";".join(signed),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    string_to_sign = f"{ALGORITHM}\n{hashlib.sha256(canonical_request.encode()).hexdigest()}"
    return hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()


def _parse_authorization(value: str) -> dict[str, str] | None:
    algorithm, _, rest = value.partition(" ")
    if algorithm != ALGORITHM:
        return None
    parts = dict(part.strip().split("=", 1) for part in rest.split(",") if "=" in part)
    if not {"Credential", "SignedHeaders", "Signature"} <= parts.keys():
        return None
    return parts


class FakeAliyunSms(FakeGateway):
    def __init__(self, *, access_key_id: str | None = None, access_key_secret: str | None = None):
        super().__init__()
        self.access_key_id = access_key_id or "LTAI5t" + secrets.token_hex(9)
        self.access_key_secret = access_key_secret or secrets.token_urlsafe(22)
        self.sign_names = {"微店分销"}
        # each approved template and the variables its text names (a missing one is Alibaba's refusal)
        self.templates: dict[str, set[str]] = {"SMS_480250001": {"code"}}
        self.received: list[dict[str, str]] = []  # each SendSms that passed the checks
        self.refusals: dict[str, str] = {}  # phone → the Code to answer
        self.nonces: set[str] = set()

    @property
    def host(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    def _error(self, status: int, code: str, message: str) -> Response:
        body = {"RequestId": secrets.token_hex(16).upper(), "HostId": "dysmsapi.aliyuncs.com", "Code": code}
        body["Message"] = message
        return Response(status, json.dumps(body).encode(), {"Content-Type": "application/json;charset=utf-8"})

    def _ok(self, body: dict) -> Response:
        body = {"RequestId": secrets.token_hex(16).upper(), **body}
        return Response(
            200, json.dumps(body, ensure_ascii=False).encode(), {"Content-Type": "application/json;charset=utf-8"}
        )

    def _signature_error(self, request: Request) -> Response | None:
        headers = {name.lower(): value for name, value in request.headers.items()}
        auth = _parse_authorization(headers.get("authorization", ""))
        if auth is None:
            return self._error(
                400, "IncompleteSignature", "The request signature does not conform to Aliyun standards."
            )
        if auth["Credential"] != self.access_key_id:
            return self._error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        signed = auth["SignedHeaders"].split(";")
        must_sign = {"host"} | {name for name in headers if name.startswith("x-acs-")}
        if signed != sorted(signed) or not must_sign <= set(signed):
            return self._error(400, "IncompleteSignature", "The signed headers miss host or an x-acs header.")
        if headers.get("x-acs-content-sha256") != hashlib.sha256(request.body).hexdigest():
            return self._error(400, "IncompleteSignature", "x-acs-content-sha256 is not the body's SHA-256.")
        try:
            sent_at = datetime.strptime(headers.get("x-acs-date", ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return self._error(400, "MissingTimestamp", "x-acs-date is mandatory for this action.")
        if abs(datetime.now(UTC) - sent_at) > TIMESTAMP_WINDOW:
            return self._error(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
        nonce = headers.get("x-acs-signature-nonce", "")
        with self.lock:
            if not nonce or nonce in self.nonces:
                return self._error(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
            self.nonces.add(nonce)
        expected = acs3_signature(
            secret=self.access_key_secret,
            method=request.method,
            path=request.path,
            query=request.query,
            headers=headers,
            signed=signed,
            body=request.body,
        )
        if not hmac.compare_digest(expected, auth["Signature"]):
            return self._error(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")
        return None

    def send_sms(self, request: Request, _match) -> Response:
        refused = self._signature_error(request)
        if refused is not None:
            return refused
        headers = {name.lower(): value for name, value in request.headers.items()}
        if (headers.get("x-acs-action"), headers.get("x-acs-version")) != ("SendSms", "2017-05-25"):
            return self._error(404, "InvalidAction.NotFound", "Specified api is not found.")
        query = request.query
        phone = query.get("PhoneNumbers", "")
        code = self.refusals.get(phone)
        if code is None and not (phone.isdigit() and len(phone) == 11):
            code = "isv.MOBILE_NUMBER_ILLEGAL"
        elif code is None and query.get("SignName") not in self.sign_names:
            code = "isv.SMS_SIGNATURE_ILLEGAL"
        elif code is None and query.get("TemplateCode") not in self.templates:
            code = "isv.SMS_TEMPLATE_ILLEGAL"
        elif code is None:
            try:
                params = json.loads(query.get("TemplateParam") or "{}")
            except ValueError:
                params = {}
            if not isinstance(params, dict) or not all(
                params.get(name) for name in self.templates[query["TemplateCode"]]
            ):
                code = "isv.TEMPLATE_MISSING_PARAMETERS"
        if code is not None:
            return self._ok({"Code": code, "Message": MESSAGES.get(code, code)})
        with self.lock:
            self.received.append(dict(query))
        return self._ok({"Code": "OK", "Message": "OK", "BizId": f"{secrets.randbelow(10**18):018d}^0"})

    routes = [("POST", r"/", send_sms)]
