"""Bearer tokens: who gets in, who is refused, and with which code."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, OctKey, RSAKey
from sqlalchemy import Engine

from oms_graphql.auth import TokenError, TokenVerifier, tokens
from oms_graphql.settings import Settings
from tests.api import Api
from tests.factories import count_rows

LIST = "{ locations(first: 5) { nodes { id } } }"
ADD = """mutation { locationAdd(input: {name: "X", address: {countryCode: "IT"}}) {
  location { id } userErrors { code } } }"""


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _claims(settings: Settings, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": "someone",
        "iat": now,
        "exp": now + 600,
        "scope": "read_locations",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


async def test_no_token_is_unauthenticated(api: Api) -> None:
    result = await api.gql(LIST, token=None)

    assert result.status == 200
    assert result.data is None
    assert result.error_codes == ["UNAUTHENTICATED"]


async def test_typename_needs_no_token(api: Api) -> None:
    assert (await api.gql("{ __typename }", token=None)).ok() == {"__typename": "Query"}


def _forged_tokens(settings: Settings) -> dict[str, str]:
    secret = OctKey.import_key(settings.jwt_secret or "")
    other = OctKey.import_key("another-secret-that-is-long-enough-0123456789")
    return {
        "expired": jwt.encode(
            {"alg": "HS256"}, _claims(settings, iat=1, exp=int(time.time()) - 3600), secret
        ),
        "signed with another key": jwt.encode({"alg": "HS256"}, _claims(settings), other),
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(settings))}.",
        "wrong issuer": jwt.encode({"alg": "HS256"}, _claims(settings, iss="evil"), secret),
        "wrong audience": jwt.encode({"alg": "HS256"}, _claims(settings, aud="other"), secret),
        "no issuer": jwt.encode({"alg": "HS256"}, _claims(settings, iss=None), secret),
        "no audience": jwt.encode({"alg": "HS256"}, _claims(settings, aud=None), secret),
        "audiences without ours": jwt.encode(
            {"alg": "HS256"}, _claims(settings, aud=["a", "b"]), secret
        ),
        "expired beyond the leeway": jwt.encode(
            {"alg": "HS256"}, _claims(settings, exp=int(time.time()) - 90), secret
        ),
        "not valid before a minute from now": jwt.encode(
            {"alg": "HS256"}, _claims(settings, nbf=int(time.time()) + 90), secret
        ),
        "issued in the future": jwt.encode(
            {"alg": "HS256"}, _claims(settings, iat=int(time.time()) + 3600), secret
        ),
        "HS512": jwt.encode({"alg": "HS512"}, _claims(settings), secret, algorithms=["HS512"]),
        "no expiry": jwt.encode({"alg": "HS256"}, _claims(settings, exp=None), secret),
        "no subject": jwt.encode({"alg": "HS256"}, _claims(settings, sub=None), secret),
        "channels not a list": jwt.encode(
            {"alg": "HS256"}, _claims(settings, channels="web"), secret
        ),
        "garbage": "not-a-token",
        "three garbage parts": "a.b.c",
    }


@pytest.mark.parametrize(
    "kind",
    [
        "expired",
        "signed with another key",
        "alg none",
        "wrong issuer",
        "wrong audience",
        "no issuer",
        "no audience",
        "audiences without ours",
        "expired beyond the leeway",
        "not valid before a minute from now",
        "issued in the future",
        "HS512",
        "no expiry",
        "no subject",
        "channels not a list",
        "garbage",
        "three garbage parts",
    ],
)
async def test_bad_tokens_are_refused_before_anything_runs(
    api: Api, settings: Settings, sync_engine: Engine, kind: str
) -> None:
    token = _forged_tokens(settings)[kind]

    result = await api.gql(ADD, token=token)

    assert result.status == 401
    assert result.error_codes == ["UNAUTHENTICATED"]
    assert result.statements == 0
    assert count_rows(sync_engine, "locations") == 0


async def test_other_authorization_schemes_are_refused(api: Api) -> None:
    result = await api.gql(LIST, token=None, headers={"Authorization": "Basic dXNlcjpwYXNz"})

    assert result.status == 401
    assert result.error_codes == ["UNAUTHENTICATED"]


async def test_missing_scope_is_forbidden(api: Api) -> None:
    result = await api.gql(LIST, token=api.token("read_orders"))

    assert result.error_codes == ["FORBIDDEN"]
    assert result.errors[0]["extensions"]["scope"] == "read_locations or storefront"


async def test_read_scope_cannot_write(api: Api, sync_engine: Engine) -> None:
    result = await api.gql(ADD, token=api.token("read_locations"))

    assert result.error_codes == ["FORBIDDEN"]
    assert count_rows(sync_engine, "locations") == 0


async def test_write_scope_implies_read(api: Api) -> None:
    result = await api.gql(LIST, token=api.token("write_locations"))

    assert result.ok() == {"locations": {"nodes": []}}


async def test_a_token_minted_for_the_server_is_accepted(api: Api) -> None:
    assert (await api.gql(LIST, token=api.token("read_locations"))).ok()


# --- asymmetric keys --------------------------------------------------------------------


def _settings_with_jwks(tmp_path: Path, keys: list[Any], **extra: Any) -> Settings:
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(KeySet(keys).as_dict(private=False)))
    return Settings.from_env(
        {},
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}",
        jwks_file=str(jwks),
        **extra,
    )


@pytest.mark.parametrize(
    ("algorithm", "make_key"),
    [
        ("RS256", lambda: RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})),
        ("ES256", lambda: ECKey.generate_key("P-256", parameters={"kid": "ec-1"})),
    ],
)
async def test_asymmetric_tokens_from_a_jwks_file(
    tmp_path: Path, algorithm: str, make_key: Any
) -> None:
    key = make_key()
    settings = _settings_with_jwks(tmp_path, [key])
    verifier = TokenVerifier(settings)
    token = jwt.encode(
        {"alg": algorithm, "kid": key.kid},
        _claims(settings, scope="write_locations", channels=["web"], email="A@B.IT"),
        key,
    )

    principal = await verifier.verify(token)

    assert principal.subject == "someone"
    assert principal.scopes == {"write_locations", "read_locations"}
    assert principal.channels == {"web"}
    assert principal.email == "a@b.it"


async def test_jwks_only_server_refuses_hs256_tokens(tmp_path: Path) -> None:
    key = RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})
    settings = _settings_with_jwks(tmp_path, [key])
    hs_token = jwt.encode({"alg": "HS256"}, _claims(settings), OctKey.import_key("x" * 40))

    with pytest.raises(TokenError, match="HS256"):
        await TokenVerifier(settings).verify(hs_token)


async def test_token_signed_by_an_unknown_rsa_key_is_refused(tmp_path: Path) -> None:
    trusted = RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})
    intruder = RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})
    settings = _settings_with_jwks(tmp_path, [trusted])
    token = jwt.encode({"alg": "RS256", "kid": "rsa-1"}, _claims(settings), intruder)

    with pytest.raises(TokenError, match="signature"):
        await TokenVerifier(settings).verify(token)


@dataclass
class JwksServer:
    """A local HTTP server publishing ``keys``; it answers 500 while ``failing``."""

    url: str = ""
    keys: list[dict[str, Any]] = field(default_factory=list)
    failing: bool = False
    hits: int = 0


@pytest.fixture
def jwks_server() -> Iterator[JwksServer]:
    state = JwksServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits += 1
            if state.failing:
                self.send_response(500)
                self.end_headers()
                return
            body = json.dumps({"keys": state.keys}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    yield state
    server.shutdown()
    server.server_close()


async def test_tokens_verified_against_a_jwks_url(tmp_path: Path, jwks_server: JwksServer) -> None:
    key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    jwks_server.keys.append(key.as_dict(private=False))
    settings = Settings.from_env(
        {}, database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}", jwks_url=jwks_server.url
    )
    token = jwt.encode({"alg": "RS256", "kid": "k1"}, _claims(settings), key)

    principal = await TokenVerifier(settings).verify(token)

    assert principal.scopes == {"read_locations"}


async def test_an_unreachable_jwks_keeps_the_old_keys_and_backs_off(
    tmp_path: Path, jwks_server: JwksServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(tokens.time, "monotonic", lambda: clock[0])
    key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    jwks_server.keys.append(key.as_dict(private=False))
    settings = Settings.from_env(
        {}, database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}", jwks_url=jwks_server.url
    )
    verifier = TokenVerifier(settings)
    token = jwt.encode({"alg": "RS256", "kid": "k1"}, _claims(settings), key)
    await verifier.verify(token)
    jwks_server.failing = True

    seen = []
    for elapsed in (400, 401, 420, 440):  # past the 300 s cache, then every few seconds
        clock[0] = 1000.0 + elapsed
        principal = await verifier.verify(token)
        seen.append((principal.subject, jwks_server.hits))

    assert seen == [("someone", 2), ("someone", 2), ("someone", 2), ("someone", 3)]


# --- clock-skew leeway --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "leeway", "accepted"),
    [
        ({"exp": -10}, 30, True),
        ({"exp": -45}, 30, False),
        ({"exp": -10}, 0, False),
        ({"nbf": 10}, 30, True),
        ({"nbf": 45}, 30, False),
        ({"nbf": 10}, 0, False),
        ({"iat": 10}, 30, True),
        ({"iat": 45}, 30, False),
    ],
)
async def test_clock_skew_leeway_comes_from_the_settings(
    tmp_path: Path, claims: dict[str, int], leeway: int, accepted: bool
) -> None:
    settings = Settings.from_env(
        {},
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}",
        jwt_secret="s" * 40,
        jwt_leeway_seconds=leeway,
    )
    now = int(time.time())
    shifted = {name: now + seconds for name, seconds in claims.items()}
    token = jwt.encode({"alg": "HS256"}, _claims(settings, **shifted), OctKey.import_key("s" * 40))
    verifier = TokenVerifier(settings)

    if accepted:
        assert (await verifier.verify(token)).subject == "someone"
    else:
        with pytest.raises(TokenError, match=r"expired|not yet valid|in the future"):
            await verifier.verify(token)


# --- JWKS: rotation, refetch limits, algorithms and keys ----------------------------------


@pytest.fixture(scope="module")
def rsa_keys() -> list[RSAKey]:
    return [RSAKey.generate_key(2048, parameters={"kid": f"k{n}"}) for n in range(1, 3)]


def _remote(tmp_path: Path, server: JwksServer, **extra: Any) -> Settings:
    return Settings.from_env(
        {},
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}",
        jwks_url=server.url,
        **extra,
    )


def _signed(settings: Settings, key: RSAKey, algorithm: str = "RS256", **header: Any) -> str:
    return jwt.encode(
        {"alg": algorithm, "kid": key.kid, **header}, _claims(settings), key, algorithms=[algorithm]
    )


async def test_a_rotated_key_is_fetched_when_a_token_names_it(
    tmp_path: Path,
    jwks_server: JwksServer,
    monkeypatch: pytest.MonkeyPatch,
    rsa_keys: list[RSAKey],
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(tokens.time, "monotonic", lambda: clock[0])
    old, new = rsa_keys
    jwks_server.keys[:] = [old.as_dict(private=False)]
    settings = _remote(tmp_path, jwks_server, jwks_refresh_seconds=10)
    verifier = TokenVerifier(settings)
    await verifier.verify(_signed(settings, old))
    jwks_server.keys[:] = [new.as_dict(private=False)]  # the provider rotates

    clock[0] = 1011.0
    principal = await verifier.verify(_signed(settings, new))

    assert principal.subject == "someone"
    assert jwks_server.hits == 2


async def test_a_flood_of_unknown_kids_fetches_at_most_once_per_interval(
    tmp_path: Path,
    jwks_server: JwksServer,
    monkeypatch: pytest.MonkeyPatch,
    rsa_keys: list[RSAKey],
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(tokens.time, "monotonic", lambda: clock[0])
    key = rsa_keys[0]
    jwks_server.keys[:] = [key.as_dict(private=False)]
    settings = _remote(tmp_path, jwks_server, jwks_refresh_seconds=10)
    verifier = TokenVerifier(settings)
    await verifier.verify(_signed(settings, key))
    forged = [
        jwt.encode({"alg": "RS256", "kid": f"made-up-{n}"}, _claims(settings), key)
        for n in range(40)
    ]

    hits = []
    for now in (1005.0, 1011.0, 1015.0, 1022.0):
        clock[0] = now
        outcomes = await asyncio.gather(
            *(verifier.verify(token) for token in forged), return_exceptions=True
        )
        assert all(isinstance(o, TokenError) and "not known" in str(o) for o in outcomes)
        hits.append(jwks_server.hits)

    assert hits == [1, 2, 2, 3]
    assert (await verifier.verify(_signed(settings, key))).subject == "someone"


def _hmac_token(settings: Settings, secret: bytes, kid: str) -> str:
    header = _b64({"alg": "HS256", "typ": "JWT", "kid": kid})
    body = _b64(_claims(settings))
    signature = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{base64.urlsafe_b64encode(signature).decode().rstrip('=')}"


@pytest.mark.parametrize("with_secret", [False, True])
@pytest.mark.parametrize("public_form", ["pem", "jwk"])
async def test_hs256_signed_with_the_published_public_key_is_refused(
    tmp_path: Path,
    jwks_server: JwksServer,
    rsa_keys: list[RSAKey],
    with_secret: bool,
    public_form: str,
) -> None:
    key = rsa_keys[0]
    jwks_server.keys[:] = [key.as_dict(private=False)]
    settings = _remote(tmp_path, jwks_server, jwt_secret="s" * 40 if with_secret else None)
    public = (
        key.as_pem(private=False)
        if public_form == "pem"
        else json.dumps(key.as_dict(private=False)).encode()
    )

    with pytest.raises(TokenError, match="not accepted" if not with_secret else "signature"):
        await TokenVerifier(settings).verify(_hmac_token(settings, public, str(key.kid)))


@pytest.mark.parametrize("algorithm", ["RS512", "PS256", "RS384"])
async def test_algorithms_outside_the_allow_list_are_refused(
    tmp_path: Path, jwks_server: JwksServer, rsa_keys: list[RSAKey], algorithm: str
) -> None:
    key = rsa_keys[0]
    jwks_server.keys[:] = [key.as_dict(private=False)]
    settings = _remote(tmp_path, jwks_server)

    with pytest.raises(TokenError, match=f"{algorithm!r} are not accepted"):
        await TokenVerifier(settings).verify(_signed(settings, key, algorithm))
    assert jwks_server.hits == 0


async def test_alg_none_is_refused_by_a_jwks_server(
    tmp_path: Path, jwks_server: JwksServer, rsa_keys: list[RSAKey]
) -> None:
    jwks_server.keys[:] = [rsa_keys[0].as_dict(private=False)]
    settings = _remote(tmp_path, jwks_server)
    token = f"{_b64({'alg': 'none', 'kid': 'k1'})}.{_b64(_claims(settings))}."

    with pytest.raises(TokenError, match="'none' are not accepted"):
        await TokenVerifier(settings).verify(token)


@pytest.mark.parametrize(
    "published", [{"alg": "RS384"}, {"alg": "PS256"}, {"use": "enc"}, {"key_ops": ["encrypt"]}]
)
async def test_a_key_published_for_another_algorithm_or_use_verifies_nothing(
    tmp_path: Path, jwks_server: JwksServer, rsa_keys: list[RSAKey], published: dict[str, Any]
) -> None:
    key = rsa_keys[0]
    jwks_server.keys[:] = [{**key.as_dict(private=False), **published}]
    settings = _remote(tmp_path, jwks_server)

    with pytest.raises(TokenError, match="signing key is not for this algorithm or use"):
        await TokenVerifier(settings).verify(_signed(settings, key))


async def test_a_token_naming_no_key_is_refused(
    tmp_path: Path, jwks_server: JwksServer, rsa_keys: list[RSAKey]
) -> None:
    key = rsa_keys[0]
    jwks_server.keys[:] = [key.as_dict(private=False)]
    settings = _remote(tmp_path, jwks_server)
    token = jwt.encode({"alg": "RS256"}, _claims(settings), key)

    with pytest.raises(TokenError, match="names no signing key"):
        await TokenVerifier(settings).verify(token)


async def test_keys_a_token_brings_along_are_not_trusted(
    tmp_path: Path, jwks_server: JwksServer, rsa_keys: list[RSAKey]
) -> None:
    trusted, attacker = rsa_keys
    settings = _settings_with_jwks(tmp_path, [trusted])
    jwks_server.keys[:] = [{**attacker.as_dict(private=False), "kid": trusted.kid}]
    claims = _claims(settings, scope="write_locations")
    embedded = jwt.encode(
        {"alg": "RS256", "kid": trusted.kid, "jwk": attacker.as_dict(private=False)},
        claims,
        attacker,
    )
    fetched = jwt.encode(
        {"alg": "RS256", "kid": trusted.kid, "jku": jwks_server.url}, claims, attacker
    )
    verifier = TokenVerifier(settings)

    # The embedded key makes the header too long for joserfc; the jku one fails its signature.
    for token in (embedded, fetched):
        with pytest.raises(TokenError, match="not valid"):
            await verifier.verify(token)
    assert jwks_server.hits == 0
