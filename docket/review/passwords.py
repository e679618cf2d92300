"""Password hashing for workspace logins (argon2id, the library's current parameters)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from docket.review.errors import ReviewError

MIN_LENGTH = 10
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``; raises REVIEW_PASSWORD_WEAK below ten characters."""
    if len(password) < MIN_LENGTH:
        raise ReviewError(f"a password needs at least {MIN_LENGTH} characters", code="REVIEW_PASSWORD_WEAK")
    return _hasher.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    """Whether ``password`` is the one ``stored_hash`` was made from (False for a damaged hash)."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the login is unknown, so a wrong login costs as long as a wrong password.
DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")
