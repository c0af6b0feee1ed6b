"""Verifying and minting bearer JWTs with joserfc.

HS256 tokens are checked against ``OMS_JWT_SECRET`` (or the development secret file);
RS256/ES256 tokens against a JWKS file or URL. Only these algorithms are accepted, so
``alg: none`` and algorithm-confusion tokens are refused before any key is touched.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
    KeyParameterError,
)
from joserfc.jwk import KeySet, OctKey

from oms_graphql.auth.dev_secret import signing_secret
from oms_graphql.auth.principal import Principal
from oms_graphql.auth.scopes import expand
from oms_graphql.settings import Settings

SYMMETRIC_ALGORITHMS = ("HS256",)
ASYMMETRIC_ALGORITHMS = ("RS256", "ES256")

logger = logging.getLogger(__name__)


class TokenError(Exception):
    """The bearer token is not acceptable; the message is safe to show to the caller."""


class _RemoteKeySet:
    """A JWKS document fetched over HTTPS, kept ``cache_seconds``, and refetched when a new
    ``kid`` appears (a key rotation).

    Fetches are at least ``refresh_seconds`` apart, whatever the reason: a flood of tokens
    with made-up ``kid`` values costs the provider one request per interval, and while it
    is unreachable the last keys stay in use and requests never queue behind a timeout.
    """

    def __init__(self, url: str, *, cache_seconds: float, refresh_seconds: float) -> None:
        self.url = url
        self.cache_seconds = cache_seconds
        self.refresh_seconds = refresh_seconds
        self._keys: KeySet | None = None
        self._fetched_at = -float("inf")
        self._attempted_at = -float("inf")
        self._lock = asyncio.Lock()

    async def get(self, kid: str | None) -> KeySet:
        if self._needs_fetch(kid):
            async with self._lock:
                if self._needs_fetch(kid):
                    await self._refresh()
        if self._keys is None:
            raise TokenError("the token signing keys cannot be fetched right now")
        return self._keys

    def _needs_fetch(self, kid: str | None) -> bool:
        now = time.monotonic()
        if now - self._attempted_at < self.refresh_seconds:
            return False
        if self._keys is None or now - self._fetched_at > self.cache_seconds:
            return True
        # A key rotation shows up as an unknown kid.
        return kid is not None and not _has_kid(self._keys, kid)

    async def _refresh(self) -> None:
        self._attempted_at = time.monotonic()
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                response = await client.get(self.url)
                response.raise_for_status()
                self._keys = KeySet.import_key_set(response.json())
        except (httpx.HTTPError, ValueError, JoseError):
            logger.warning("could not fetch the JWKS from %s; keeping the keys we have", self.url)
            return
        self._fetched_at = self._attempted_at


def _has_kid(keys: KeySet, kid: str) -> bool:
    return any(key.kid == kid for key in keys.keys)


def _unverified_header(token: str) -> dict[str, Any]:
    try:
        encoded = token.split(".")[0]
        header = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (ValueError, IndexError):
        raise TokenError("the bearer token is not a JWT") from None
    if not isinstance(header, dict):
        raise TokenError("the bearer token is not a JWT")
    return header


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        secret = signing_secret(settings)
        self._oct_key = OctKey.import_key(secret) if secret else None
        self._file_keys: KeySet | None = None
        self._remote_keys: _RemoteKeySet | None = None
        if settings.jwks_file:
            self._file_keys = KeySet.import_key_set(
                json.loads(Path(settings.jwks_file).read_text())
            )
        if settings.jwks_url:
            self._remote_keys = _RemoteKeySet(
                settings.jwks_url,
                cache_seconds=settings.jwks_cache_seconds,
                refresh_seconds=settings.jwks_refresh_seconds,
            )
        # exp, nbf and iat are checked with this leeway for clocks that drift apart.
        self._claims = jwt.JWTClaimsRegistry(
            leeway=settings.jwt_leeway_seconds,
            iss={"essential": True, "value": settings.jwt_issuer},
            aud={"essential": True, "value": settings.jwt_audience},
            exp={"essential": True},
            sub={"essential": True},
        )

    @property
    def algorithms(self) -> tuple[str, ...]:
        allowed: tuple[str, ...] = ()
        if self._oct_key is not None:
            allowed += SYMMETRIC_ALGORITHMS
        if self._file_keys is not None or self._remote_keys is not None:
            allowed += ASYMMETRIC_ALGORITHMS
        return allowed

    async def verify(self, token: str) -> Principal:
        header = _unverified_header(token)
        algorithm = header.get("alg")
        if algorithm not in self.algorithms:
            raise TokenError(f"tokens signed with {algorithm!r} are not accepted")
        key: OctKey | KeySet
        if algorithm in SYMMETRIC_ALGORITHMS:
            assert self._oct_key is not None
            key = self._oct_key
        else:
            kid = header.get("kid")
            if not isinstance(kid, str):
                raise TokenError("the bearer token names no signing key ('kid' header)")
            if self._file_keys is not None:
                key = self._file_keys
            else:
                assert self._remote_keys is not None
                key = await self._remote_keys.get(kid)
            if not _has_kid(key, kid):
                raise TokenError(f"the bearer token's signing key {kid!r} is not known here")
        try:
            decoded = jwt.decode(token, key, algorithms=[algorithm])
            self._claims.validate(decoded.claims)
        except JoseError as error:
            raise TokenError(_describe(error)) from None
        return principal_from_claims(decoded.claims)


def _describe(error: JoseError) -> str:
    if isinstance(error, ExpiredTokenError):
        return "the bearer token has expired"
    if isinstance(error, BadSignatureError):
        return "the bearer token signature is not valid"
    if isinstance(error, KeyParameterError | InvalidKeyIdError):
        # The kid is in the key set (checked before), but the JWKS restricts that key (its
        # own alg, use or key_ops) to something else.
        return "the bearer token's signing key is not for this algorithm or use"
    if isinstance(error, ClaimError):
        return f"the bearer token has a missing or invalid claim: {error.description}"
    return "the bearer token is not valid"


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    scope = claims.get("scope", "")
    if not isinstance(scope, str):
        raise TokenError("the 'scope' claim must be a space-separated string")
    channels = claims.get("channels")
    if channels is not None and not (
        isinstance(channels, list) and all(isinstance(c, str) for c in channels)
    ):
        raise TokenError("the 'channels' claim must be an array of channel handles")
    email = claims.get("email")
    if email is not None and not isinstance(email, str):
        raise TokenError("the 'email' claim must be a string")
    return Principal(
        subject=str(claims["sub"]),
        scopes=expand(scope.split()),
        channels=None if channels is None else frozenset(channels),
        email=email.lower() if email else None,
        expires_at=float(claims["exp"]) if isinstance(claims.get("exp"), int | float) else None,
    )


def mint_token(
    settings: Settings,
    *,
    scopes: Iterable[str],
    subject: str = "oms-graphql-cli",
    channels: Iterable[str] | None = None,
    email: str | None = None,
    ttl_seconds: int = 86_400,
    now: int | None = None,
) -> str:
    """Sign an HS256 token for development and tests with the secret the server uses."""
    secret = signing_secret(settings)
    if secret is None:
        raise TokenError(
            "this server verifies tokens from a JWKS: mint them with your identity provider, "
            "or also set OMS_JWT_SECRET"
        )
    issued = int(time.time()) if now is None else now
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": subject,
        "iat": issued,
        "exp": issued + ttl_seconds,
        "scope": " ".join(sorted(set(scopes))),
    }
    if channels is not None:
        claims["channels"] = sorted(set(channels))
    if email is not None:
        claims["email"] = email
    return jwt.encode({"alg": "HS256", "typ": "JWT"}, claims, OctKey.import_key(secret))
