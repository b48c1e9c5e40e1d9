"""Join codes and instructor secrets.

A join code is CODE_LENGTH characters from an alphabet without look-alikes (no 0/O, 1/I/L): 31^6, about
887 million codes, read aloud or typed from a projector. The instructor's secret is a random token that stays
in the instructor's browser tab; the store keeps only its SHA-256.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # 31 characters: no 0, O, 1, I or L
CODE_LENGTH = 6


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text) -> str | None:
    """A typed code in canonical form ("abc 234" -> "ABC234"), or None when it cannot be a code.

    >>> normalise_code(" hk7-m2p ")
    'HK7M2P'
    >>> normalise_code("HK7M2") is None
    True
    """
    if not isinstance(text, str):
        return None
    code = "".join(ch for ch in text.upper() if ch not in " -")
    return code if len(code) == CODE_LENGTH and all(ch in ALPHABET for ch in code) else None


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret, stored_hash: str) -> bool:
    return isinstance(secret, str) and hmac.compare_digest(secret_hash(secret), stored_hash)
