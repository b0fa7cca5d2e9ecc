"""Secrets at rest: Fernet tokens under a key derived from HOSS_SECRET_KEY (HKDF-SHA256, its own label).

The audit seal uses the same secret for an HMAC; the HKDF label gives this use a key of its own, so neither
key reveals the other. A value encrypted under another HOSS_SECRET_KEY does not decrypt: the caller says
"reconnect Google", never shows a traceback or the ciphertext.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.config.settings import Settings
from core.errors import HossError, InvalidInput

_HKDF_INFO = b"hossagent/integrations/fernet/v1"
RECONNECT = "reconnect Google"


class TokenUnreadable(HossError):
    """A stored secret that this HOSS_SECRET_KEY cannot decrypt (another key, or a damaged row)."""


class NoSecretKey(InvalidInput):
    """HOSS_SECRET_KEY is unset, so nothing can be encrypted at rest."""


def _fernet(settings: Settings) -> Fernet:
    secret = settings.secret("hoss_secret_key")
    if not secret:
        raise NoSecretKey("HOSS_SECRET_KEY is not set: tokens cannot be stored encrypted")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def can_encrypt(settings: Settings) -> bool:
    """Whether a secret key is configured."""
    return bool(settings.secret("hoss_secret_key"))


def encrypt(settings: Settings, plaintext: str) -> str:
    """A Fernet token (ASCII) of `plaintext`; NoSecretKey when HOSS_SECRET_KEY is unset."""
    return _fernet(settings).encrypt(plaintext.encode()).decode("ascii")


def decrypt(settings: Settings, token: str) -> str:
    """The plaintext of a Fernet token; TokenUnreadable (saying "reconnect Google") when it does not decrypt."""
    try:
        return _fernet(settings).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError, ValueError):
        raise TokenUnreadable(f"the stored Google grant cannot be read with this HOSS_SECRET_KEY: {RECONNECT}") from None
