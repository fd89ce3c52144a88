"""A small OpenID provider on 127.0.0.1 for the single sign-on tests: real HTTP, real RS256 tokens.

It serves discovery, ``/authorize`` (signs in whoever ``provider.person`` is, without a form),
``/token`` (checks client credentials, the code's redirect URI and the PKCE verifier; a code works
once) and ``/jwks``. ``provider.tamper`` makes the next ID token wrong in one chosen way, so the
tests can show each check in the dashboard holds.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "mastra-dashboard"
CLIENT_SECRET = "fake-provider-client-secret-7b1d"


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Grant:
    person: dict[str, Any]
    nonce: str
    challenge: str
    redirect_uri: str


@dataclass
class FakeProvider:
    person: dict[str, Any] = field(default_factory=dict)
    #: One of: wrong_audience, wrong_issuer, expired, wrong_nonce, no_nonce, foreign_key, hs256,
    #: alg_none, unknown_kid, extra_audience.
    tamper: str | None = None
    key: rsa.RSAPrivateKey = field(default_factory=_new_key)
    kid: str = "key-1"
    grants: dict[str, Grant] = field(default_factory=dict)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    jwks_requests: int = 0
    #: Seconds the token endpoint waits before answering (a provider that hangs).
    token_delay: float = 0.0
    url: str = ""
    _server: ThreadingHTTPServer | None = None

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> FakeProvider:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                provider._get(self)

            def do_POST(self) -> None:
                provider._post(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/realms/team"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def rotate_key(self) -> None:
        self.key, self.kid = _new_key(), f"key-{secrets.token_hex(3)}"

    # --- endpoints ------------------------------------------------------------------------------

    def _send(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        if body is not None:
            handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _get(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        path = parts.path.removeprefix("/realms/team")
        if path == "/.well-known/openid-configuration":
            self._send(
                handler,
                200,
                {
                    "issuer": self.url,
                    "authorization_endpoint": f"{self.url}/authorize",
                    "token_endpoint": f"{self.url}/token",
                    "jwks_uri": f"{self.url}/jwks",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256", "HS256", "none"],
                    "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                    "code_challenge_methods_supported": ["S256"],
                },
            )
        elif path == "/jwks":
            self.jwks_requests += 1
            jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True) | {
                "kid": self.kid,
                "use": "sig",
                "alg": "RS256",
            }
            self._send(handler, 200, {"keys": [jwk]})
        elif path == "/authorize":
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if (
                query.get("client_id") != CLIENT_ID
                or query.get("response_type") != "code"
                or query.get("code_challenge_method") != "S256"
                or not query.get("code_challenge")
                or "openid" not in query.get("scope", "").split()
            ):
                self._send(handler, 400, {"error": "invalid_request"})
                return
            code = secrets.token_urlsafe(24)
            self.grants[code] = Grant(
                dict(self.person), query["nonce"], query["code_challenge"], query["redirect_uri"]
            )
            target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
            self._send(handler, 302, headers={"Location": target})
        else:
            self._send(handler, 404, {"error": "not_found"})

    def _post(self, handler: BaseHTTPRequestHandler) -> None:
        if urlsplit(handler.path).path.removeprefix("/realms/team") != "/token":
            self._send(handler, 404, {"error": "not_found"})
            return
        if self.token_delay:
            time.sleep(self.token_delay)
        length = int(handler.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(handler.rfile.read(length).decode()).items()}
        auth = handler.headers.get("Authorization", "")
        self.token_requests.append({"form": form, "authorization": auth})
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if auth != expected:
            self._send(handler, 401, {"error": "invalid_client"})
            return
        grant = self.grants.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or form.get("redirect_uri") != grant.redirect_uri
            or challenge != grant.challenge
        ):
            self._send(handler, 400, {"error": "invalid_grant"})
            return
        self._send(
            handler,
            200,
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self._id_token(grant),
            },
        )

    def _id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.nonce,
            **grant.person,
        }
        key: Any = self.key
        algorithm = "RS256"
        headers = {"kid": self.kid}
        tamper = self.tamper
        if tamper == "wrong_audience":
            claims["aud"] = "another-app"
        elif tamper == "extra_audience":
            claims["aud"] = [CLIENT_ID, "another-app"]
            claims["azp"] = "another-app"
        elif tamper == "wrong_issuer":
            claims["iss"] = "https://attacker.example/realms/team"
        elif tamper == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 600
        elif tamper == "wrong_nonce":
            claims["nonce"] = secrets.token_urlsafe(16)
        elif tamper == "no_nonce":
            del claims["nonce"]
        elif tamper == "foreign_key":
            key = _new_key()
        elif tamper == "unknown_kid":
            key, headers = _new_key(), {"kid": "key-nobody-published"}
        elif tamper == "hs256":
            # Signed with the client secret: anyone who holds it could mint these.
            key, algorithm = CLIENT_SECRET, "HS256"
        elif tamper == "alg_none":
            head = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=")
            body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
            return (head + b"." + body + b".").decode()
        return jwt.encode(claims, key, algorithm=algorithm, headers=headers)
