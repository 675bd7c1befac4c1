"""WeChat's official-account API for template messages (模板消息), played
locally: ``/cgi-bin/token`` hands an access token for the right app id and
secret only (as the OAuth fake checks the app secret), and
``/cgi-bin/message/template/send`` takes a message only with a token it
issued and not yet expired, to an openid it knows, answering WeChat's
errcodes (40001 invalid token, 42001 expired, 40013 bad app id, 40125 bad
secret, 40003 unknown openid). Tests read ``messages``.

``hold()`` makes the next sends wait inside the request until ``let_go()``
and then refuse them (errcode -1, system busy): a slow provider that a
worker can be killed in front of, which never accepted the message."""

import json
import secrets
import threading
from dataclasses import dataclass

from .server import FakeGateway, Request, Response


@dataclass
class SentTemplateMessage:
    openid: str
    template_id: str
    title: str
    body: str
    url: str
    msgid: int


def _json(body: dict) -> Response:
    return Response(200, json.dumps(body, ensure_ascii=False).encode(), {"Content-Type": "application/json"})


class FakeWechatMessages(FakeGateway):
    def __init__(self, *, app_id: str, secret: str, openids: set[str] | None = None):
        super().__init__()
        self.app_id, self.secret = app_id, secret
        self.openids = openids if openids is not None else set()
        self.tokens: set[str] = set()
        self.messages: list[SentTemplateMessage] = []
        self.refused = 0
        self.waiting = 0  # sends held inside the request right now
        self._released = threading.Event()
        self._released.set()

    def hold(self) -> None:
        self._released.clear()

    def let_go(self) -> None:
        self._released.set()

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def _token(self, request: Request, match) -> Response:
        query = request.query
        if query.get("grant_type") != "client_credential":
            return _json({"errcode": 40002, "errmsg": "invalid grant_type"})
        if query.get("appid") != self.app_id:
            return _json({"errcode": 40013, "errmsg": "invalid appid"})
        if query.get("secret") != self.secret:
            return _json({"errcode": 40125, "errmsg": "invalid appsecret"})
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens.add(token)
        return _json({"access_token": token, "expires_in": 7200})

    def _send(self, request: Request, match) -> Response:
        with self.lock:
            known = request.query.get("access_token", "") in self.tokens
        if not known:
            return _json({"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"})
        if not self._released.is_set():
            with self.lock:
                self.waiting += 1
            self._released.wait(timeout=120)
            with self.lock:
                self.waiting -= 1
                self.refused += 1
            return _json({"errcode": -1, "errmsg": "system error"})
        payload = request.json()
        if payload.get("touser") not in self.openids:
            return _json({"errcode": 40003, "errmsg": "invalid openid"})
        data = payload.get("data") or {}
        with self.lock:
            message = SentTemplateMessage(
                openid=payload["touser"],
                template_id=payload.get("template_id", ""),
                title=(data.get("first") or {}).get("value", ""),
                body=(data.get("keyword1") or {}).get("value", ""),
                url=payload.get("url", ""),
                msgid=len(self.messages) + 1,
            )
            self.messages.append(message)
        return _json({"errcode": 0, "errmsg": "ok", "msgid": message.msgid})

    routes = [
        ("GET", r"/cgi-bin/token", _token),
        ("POST", r"/cgi-bin/message/template/send", _send),
    ]
