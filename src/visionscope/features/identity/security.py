"""Passwords (argon2id), access tokens (JWT) and opaque secrets (refresh tokens, API keys)."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

API_KEY_PREFIX = "vsk_"
_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
_DUMMY_HASH = _hasher.hash("a password nobody has")


# argon2 takes tens of milliseconds of CPU and memory on purpose: it runs in a few threads (the
# library releases the GIL), never on the event loop, and no more of them at once than there are.
_HASH_THREAD_PREFIX = "password-hash"
_threads = 2
_pool = ThreadPoolExecutor(max_workers=_threads, thread_name_prefix=_HASH_THREAD_PREFIX)


def set_hash_threads(threads: int) -> None:
    """How many passwords are hashed or checked at once (others wait their turn)."""
    global _pool, _threads
    if threads != _threads:
        old, _pool = _pool, ThreadPoolExecutor(max_workers=threads, thread_name_prefix=_HASH_THREAD_PREFIX)
        _threads = threads
        old.shutdown(wait=False)


def _check(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_pool, _hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the user exists (a missing user checks a dummy hash)."""
    return await asyncio.get_running_loop().run_in_executor(_pool, _check, password_hash, password)


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """Secrets are high-entropy random strings, so a plain SHA-256 is the right stored form."""
    return hashlib.sha256(secret.encode()).hexdigest()


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class TokenIssuer:
    secret: str
    access_ttl: timedelta
    algorithm: str = "HS256"
    issuer: str = "visionscope"

    def access_token(self, user_id: uuid.UUID, now: datetime) -> str:
        claims = {
            "sub": str(user_id),
            "iat": int(now.timestamp()),
            "exp": int((now + self.access_ttl).timestamp()),
            "iss": self.issuer,
            "typ": "access",
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self.secret, algorithm=self.algorithm)

    def user_of(self, token: str) -> uuid.UUID:
        """The user id in a valid, unexpired access token; InvalidToken otherwise."""
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=[self.algorithm],
                issuer=self.issuer,
                options={"require": ["exp", "sub", "iat"]},
            )
        except jwt.PyJWTError as err:
            raise InvalidToken(str(err)) from None
        if claims.get("typ") != "access":
            raise InvalidToken("not an access token")
        try:
            return uuid.UUID(claims["sub"])
        except ValueError:
            raise InvalidToken("bad subject") from None
