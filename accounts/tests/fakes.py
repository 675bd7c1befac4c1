"""Local fakes of the outside services accounts talks to, each a small HTTP
server on 127.0.0.1 speaking the real protocol, so the real client code (the
Tencent Cloud SDK, our WeChat client over ``requests``) runs unchanged with
only its endpoint pointed here.

- ``FakeTencentSms``: Tencent Cloud API 3.0's ``SendSms`` (2021-01-11). It
  checks the request's TC3-HMAC-SHA256 signature as Tencent documents it
  (canonical request → string to sign → key derived from the secret key,
  the date and the service), its credential scope and its timestamp, and
  answers Tencent's error codes when they do not hold.
- ``FakeWechat``: the web authorisation endpoints. ``/connect/oauth2/authorize``
  and ``/connect/qrconnect`` play the person who agrees (they redirect back
  with a fresh code); ``/sns/oauth2/access_token`` and ``/sns/userinfo``
  answer as WeChat does, errors included (40029 invalid code, 40163 code
  used, 40125 bad secret, 48001 a base-scope token asking for userinfo). A
  person has one openid per app id and one unionid across them.
"""

import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

# --- the HTTP plumbing --------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def _answer(self, status: int, body: dict | None = None, headers: dict | None = None):
        data = json.dumps(body or {}, ensure_ascii=False).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", self.server.fake.content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.server.fake.get(self)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.server.fake.post(self, self.rfile.read(length))


class _FakeServer:
    content_type = "application/json; charset=utf-8"

    def start(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.fake = self
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def get(self, handler):
        handler._answer(404, {})

    def post(self, handler, body: bytes):
        handler._answer(404, {})


# --- Tencent Cloud SMS ---------------------------------------------------------------------------------


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def tc3_signature(*, secret_key: str, date: str, service: str, string_to_sign: str) -> str:
    """Tencent's key derivation: TC3+key → date → service → "tc3_request"."""
    signing_key = _hmac(_hmac(_hmac(("TC3" + secret_key).encode(), date), service), "tc3_request")
    return hmac.new(signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest()


@dataclass
class FakeTencentSms(_FakeServer):
    content_type = "application/json"  # exactly Tencent's: the SDK reads errors only from this

    secret_id: str = "AKIDfake0123456789abcdef"
    secret_key: str = "fake-secret-key-0123456789"
    sdk_app_id: str = "1400123456"
    # what SendSms answers per number ("Ok", or a status code such as LimitExceeded.PhoneNumberDailyLimit)
    statuses: dict[str, str] = field(default_factory=dict)
    received: list[dict] = field(default_factory=list)  # the requests whose signature held
    refused: list[str] = field(default_factory=list)  # the error codes answered

    def _error(self, handler, code: str, message: str):
        self.refused.append(code)
        handler._answer(
            200, {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": secrets.token_hex(8)}}
        )

    def _signature_problem(self, handler, body: bytes) -> tuple[str, str] | None:
        """None when the request is signed as Tencent requires; else the error Tencent answers."""
        authorization = handler.headers.get("Authorization", "")
        algorithm, _, rest = authorization.partition(" ")
        if algorithm != "TC3-HMAC-SHA256":
            return "AuthFailure.InvalidAuthorization", "Authorization header is not TC3-HMAC-SHA256"
        parts = dict(part.strip().split("=", 1) for part in rest.split(",") if "=" in part)
        secret_id, date, service, terminator = (parts.get("Credential", "").split("/") + ["", "", "", ""])[:4]
        if secret_id != self.secret_id:
            return "AuthFailure.SecretIdNotFound", "The SecretId is not found"
        timestamp = handler.headers.get("X-TC-Timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
            return "AuthFailure.SignatureExpire", "The request's timestamp is more than 5 minutes off"
        expected_date = datetime.fromtimestamp(int(timestamp), tz=UTC).strftime("%Y-%m-%d")
        if (date, service, terminator) != (expected_date, "sms", "tc3_request"):
            return "AuthFailure.InvalidAuthorization", "Credential scope does not match"
        signed_headers = parts.get("SignedHeaders", "")
        names = signed_headers.split(";")
        if "host" not in names or "content-type" not in names:
            return "AuthFailure.InvalidAuthorization", "content-type and host must be signed"
        canonical_headers = "".join(f"{name}:{handler.headers.get(name, '').strip().lower()}\n" for name in names)
        split = urlsplit(handler.path)
        canonical_request = "\n".join(
            [
                handler.command,
                split.path or "/",
                split.query,
                canonical_headers,
                signed_headers,
                hashlib.sha256(body).hexdigest(),
            ]
        )
        string_to_sign = "\n".join(
            [
                "TC3-HMAC-SHA256",
                timestamp,
                f"{date}/{service}/tc3_request",
                hashlib.sha256(canonical_request.encode()).hexdigest(),
            ]
        )
        expected = tc3_signature(secret_key=self.secret_key, date=date, service=service, string_to_sign=string_to_sign)
        if not hmac.compare_digest(expected, parts.get("Signature", "")):
            return "AuthFailure.SignatureFailure", "The provided credentials could not be validated"
        return None

    def post(self, handler, body: bytes):
        problem = self._signature_problem(handler, body)
        if problem:
            return self._error(handler, *problem)
        if handler.headers.get("X-TC-Action") != "SendSms" or handler.headers.get("X-TC-Version") != "2021-01-11":
            return self._error(handler, "InvalidAction", "unknown action or version")
        request = json.loads(body)
        if request.get("SmsSdkAppId") != self.sdk_app_id:
            return self._error(handler, "FailedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId does not match")
        self.received.append(request)
        statuses = []
        for number in request.get("PhoneNumberSet", []):
            code = self.statuses.get(number, "Ok")
            statuses.append(
                {
                    "SerialNo": secrets.token_hex(10),
                    "PhoneNumber": number,
                    "Fee": 1,
                    "SessionContext": "",
                    "Code": code,
                    "Message": "send success" if code == "Ok" else "refused",
                    "IsoCode": "CN",
                }
            )
        handler._answer(200, {"Response": {"SendStatusSet": statuses, "RequestId": secrets.token_hex(8)}})


# --- WeChat -----------------------------------------------------------------------------------------------


@dataclass
class WechatPerson:
    """Someone with a WeChat account, as the fake knows them."""

    key: str
    nickname: str = "微信用户"
    avatar_url: str = "https://thirdwx.qlogo.cn/mmopen/fake/132"
    has_unionid: bool = True

    def openid(self, app_id: str) -> str:  # one per app id, as WeChat gives
        return "o" + hashlib.sha1(f"{self.key}:{app_id}".encode()).hexdigest()[:27]  # noqa: S324 - an id, not security

    @property
    def unionid(self) -> str:
        return "u" + hashlib.sha1(self.key.encode()).hexdigest()[:27] if self.has_unionid else ""  # noqa: S324


@dataclass
class FakeWechat(_FakeServer):
    apps: dict[str, str] = field(default_factory=dict)  # app id → secret
    person: WechatPerson | None = None  # who is holding the phone (agrees to every authorisation)
    codes: dict[str, dict] = field(default_factory=dict)  # code → {app_id, scope, person, used}
    tokens: dict[str, dict] = field(default_factory=dict)
    exchanged: list[str] = field(default_factory=list)  # codes exchanged successfully

    def issue_code(self, *, app_id: str, scope: str, person: WechatPerson | None = None) -> str:
        code = secrets.token_hex(16)
        self.codes[code] = {"app_id": app_id, "scope": scope, "person": person or self.person, "used": False}
        return code

    def get(self, handler):
        split = urlsplit(handler.path)
        query = {key: values[0] for key, values in parse_qs(split.query).items()}
        if split.path in ("/connect/oauth2/authorize", "/connect/qrconnect"):
            return self._authorize(handler, query)
        if split.path == "/sns/oauth2/access_token":
            return handler._answer(200, self._access_token(query))
        if split.path == "/sns/userinfo":
            return handler._answer(200, self._userinfo(query))
        handler._answer(404, {"errcode": 404, "errmsg": "not found"})

    def _authorize(self, handler, query):
        if query.get("appid") not in self.apps or query.get("response_type") != "code":
            return handler._answer(200, {"errcode": 10003, "errmsg": "redirect_uri domain or appid mismatch"})
        code = self.issue_code(app_id=query["appid"], scope=query.get("scope", ""))
        target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        handler._answer(302, {}, headers={"Location": target})

    def _access_token(self, query):
        app_id = query.get("appid", "")
        if self.apps.get(app_id) != query.get("secret") or query.get("grant_type") != "authorization_code":
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        issued = self.codes.get(query.get("code", ""))
        if issued is None or issued["app_id"] != app_id:
            return {"errcode": 40029, "errmsg": "invalid code"}
        if issued["used"]:
            return {"errcode": 40163, "errmsg": "code been used"}
        issued["used"] = True
        self.exchanged.append(query["code"])
        person = issued["person"]
        token = secrets.token_hex(20)
        self.tokens[token] = {"app_id": app_id, "scope": issued["scope"], "person": person}
        answer = {
            "access_token": token,
            "expires_in": 7200,
            "refresh_token": secrets.token_hex(20),
            "openid": person.openid(app_id),
            "scope": issued["scope"],
        }
        if person.unionid and issued["scope"] != "snsapi_base":
            answer["unionid"] = person.unionid
        return answer

    def _userinfo(self, query):
        token = self.tokens.get(query.get("access_token", ""))
        if token is None:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        if token["scope"] == "snsapi_base":
            return {"errcode": 48001, "errmsg": "api unauthorized"}
        person = token["person"]
        if query.get("openid") != person.openid(token["app_id"]):
            return {"errcode": 40003, "errmsg": "invalid openid"}
        info = {
            "openid": person.openid(token["app_id"]),
            "nickname": person.nickname,
            "sex": 0,
            "province": "",
            "city": "",
            "country": "",
            "headimgurl": person.avatar_url,
            "privilege": [],
        }
        if person.unionid:
            info["unionid"] = person.unionid
        return info
