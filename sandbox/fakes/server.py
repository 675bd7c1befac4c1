"""The part the fakes share: a threaded HTTP server on a free local port,
routing by method and path pattern, and RSA keys made on the spot."""

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass
class KeyPair:
    private_key: rsa.RSAPrivateKey

    @classmethod
    def generate(cls) -> "KeyPair":
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @property
    def public_key(self):
        return self.private_key.public_key()

    @property
    def private_pem(self) -> str:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()

    @property
    def public_pem(self) -> str:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()


@dataclass
class Request:
    method: str
    target: str  # path with its query, as sent (what WeChat Pay's signature covers)
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body or b"{}")

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def html(text: str, status: int = 200) -> Response:
    return Response(status, text.encode(), {"Content-Type": "text/html; charset=utf-8"})


def redirect(url: str) -> Response:
    return Response(302, b"", {"Location": url})


@dataclass
class Notification:
    url: str
    body: bytes
    headers: dict[str, str]
    status: int | None = None


class FakeGateway:
    """Subclasses fill ``routes``: (method, path regex, handler(request, match) -> Response)."""

    routes: list[tuple[str, str, Callable]] = []

    def __init__(self):
        self._server: ThreadingHTTPServer | None = None
        self.lock = threading.RLock()
        self.sent: list[Notification] = []  # every notification, for tests to replay or doctor
        # how a notification reaches the platform: an HTTP POST by default; tests without a live server
        # hand it to Django's test client instead
        self.deliver: Callable[[str, bytes, dict[str, str]], int] = self._post
        self.notify = True  # off: the gateway "forgets" to call back (the return page must query)

    def start(self) -> "FakeGateway":
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                request = Request(
                    method=self.command,
                    target=self.path,
                    path=parts.path,
                    query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                    headers={key: value for key, value in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                response = gateway.dispatch(request)
                self.send_response(response.status)
                for key, value in response.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                self.wfile.write(response.body)

            do_GET = do_POST = do_PATCH = do_DELETE = _serve

            def log_message(self, *args):  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def dispatch(self, request: Request) -> Response:
        for method, pattern, handler in self.routes:
            match = re.fullmatch(pattern, request.path)
            if match and method == request.method:
                return handler(self, request, match)
        return Response(404, b'{"code":"NOT_FOUND","message":"no such endpoint"}', {"Content-Type": "application/json"})

    def send(self, url: str, body: bytes, headers: dict[str, str]) -> Notification:
        notification = Notification(url, body, headers)
        self.sent.append(notification)
        if self.notify:
            notification.status = self.deliver(url, body, headers)
        return notification

    def release(self) -> list[Notification]:
        """Deliver, from the caller's thread, what was held back while ``notify`` was off."""
        held = [notification for notification in self.sent if notification.status is None]
        for notification in held:
            notification.status = self.deliver(notification.url, notification.body, notification.headers)
        return held

    @staticmethod
    def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
        try:
            return requests.post(url, data=body, headers=headers, timeout=30).status_code
        except requests.RequestException:
            return 0
