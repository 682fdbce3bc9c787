"""The external reference that ties an SAP notification to the Monitron record that caused it."""

from __future__ import annotations

import base64
import hashlib
from typing import Final

PREFIX: Final = "MON"
LENGTH: Final = 20  # the length of SAP's MaintNotifExtReferenceNumber


def external_reference(record_key: str) -> str:
    """Return ``MON`` and 17 base32 characters of the SHA-256 of ``record_key``.

    The result is upper-case, 20 characters long and the same for the same key on every run, so a
    rerun finds the notification an earlier run created. 85 bits of digest make an accidental
    collision between two records negligible.
    """
    digest = hashlib.sha256(record_key.encode("utf-8")).digest()
    encoded = base64.b32encode(digest).decode("ascii")
    return PREFIX + encoded[: LENGTH - len(PREFIX)]
