"""Personal data typed into free text (RGPD): observations are about places, not named inhabitants.

`find_personal_data(text)` returns what looks like a phone number, an email address or a French
social security number (NIR), so the form can ask the agent to remove it or confirm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# French numbers: 0X XX XX XX XX, +33 X XX XX XX XX, 0033..., with spaces, dots or dashes.
PHONE = re.compile(r"(?<!\d)(?:(?:\+|00)\s?33\s?\(?0?\)?\s?|0)[1-9](?:[\s.\-]?\d{2}){4}(?!\d)")
# NIR: sex, year, month (or 20-99 for special cases), département (2A/2B), commune, order, key.
NIR = re.compile(
    r"(?<![\dA-Za-z])[12][\s.]?\d{2}[\s.]?(?:0[1-9]|1[0-2]|[2-9]\d)[\s.]?(?:\d{2}|2[ABab])"
    r"[\s.]?\d{3}[\s.]?\d{3}(?:[\s.]?\d{2})?(?![\dA-Za-z])"
)

KINDS = {
    "email": _("une adresse électronique"),
    "phone": _("un numéro de téléphone"),
    "nir": _("un numéro de sécurité sociale"),
}


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str

    @property
    def label(self) -> str:
        return str(KINDS[self.kind])


def find_personal_data(*texts: str) -> list[Finding]:
    found: list[Finding] = []
    seen: set[str] = set()
    for text in texts:
        if not text:
            continue
        remaining = text
        for kind, pattern in (("nir", NIR), ("email", EMAIL), ("phone", PHONE)):
            for match in pattern.finditer(remaining):
                value = match.group(0).strip()
                if value not in seen:
                    seen.add(value)
                    found.append(Finding(kind, value))
            # A NIR also matches nothing else once removed; a phone inside an email neither.
            remaining = pattern.sub(" ", remaining)
    return found
