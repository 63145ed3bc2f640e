"""Avatars drawn here: a symmetric 5x5 identicon from a keyed hash of the commenter's e-mail
(or name). Nothing is asked of an avatar service, and since the hash is keyed by the site's
secret, an avatar cannot be matched to an e-mail address by hashing guesses."""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings

KEY_LENGTH = 20
KEY = re.compile(rf"^[0-9a-f]{{{KEY_LENGTH}}}$")
CELL = 8


def key(email: str, name: str) -> str:
    who = (email or name).strip().lower()
    secret = f"newsdesk.comments.avatar:{settings.SECRET_KEY}".encode()
    return hmac.new(secret, who.encode("utf-8"), hashlib.sha256).hexdigest()[:KEY_LENGTH]


def svg(avatar_key: str) -> str:
    """The identicon of a key (its first 15 bits set the cells, the next ones the colour)."""
    bits = int(avatar_key, 16)
    hue = (bits >> 60) % 360
    cells = []
    for row in range(5):
        for col in range(3):
            if bits >> (row * 3 + col) & 1:
                for x in (col,) if col == 2 else (col, 4 - col):
                    cells.append(f'<rect x="{x * CELL}" y="{row * CELL}" width="8" height="8"/>')
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="-4 -4 48 48" width="48" height="48">'
        '<rect x="-4" y="-4" width="48" height="48" fill="#eee"/>'
        f'<g fill="hsl({hue} 55% 45%)">{"".join(cells)}</g></svg>'
    )
