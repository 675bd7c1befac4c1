"""Invite codes: short, unique, and unambiguous when read aloud or typed
from a poster: no 0/O, 1/I/L, and upper case only."""

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6  # 31**6 ≈ 887 million codes


def invite_code_generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def invite_code_normalize(code: str) -> str:
    """What a person typed → the stored form (case and spaces forgiven)."""
    return "".join((code or "").split()).upper()
