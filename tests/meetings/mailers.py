"""Email helpers for tests.

- `FailingAfterBackend`: the mail server accepts `accept` messages, then fails once;
- `calendar_part`: the text/calendar part of a message, as it goes over the wire.
"""

from __future__ import annotations

from smtplib import SMTPServerDisconnected

from django.core.mail.backends.locmem import EmailBackend


class FailingAfterBackend(EmailBackend):
    accept: int | None = None  # messages accepted before the failure (None: never fails)
    failures = 0  # failures left to raise once `accept` messages went through

    def send_messages(self, messages):
        cls = type(self)
        sent = 0
        for message in messages:
            if cls.accept is not None and cls.accept <= 0 and cls.failures > 0:
                cls.failures -= 1
                raise SMTPServerDisconnected("Connexion au serveur de courriel perdue")
            sent += super().send_messages([message])
            if cls.accept is not None:
                cls.accept -= 1
        return sent


def calendar_part(message):
    """The text/calendar part of an email as it is sent (serialised, then parsed back)."""
    import email
    import email.policy

    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    return next(part for part in parsed.walk() if part.get_content_type() == "text/calendar")


class WorkerKilled(BaseException):  # noqa: N818 - named for what it stands for
    """Stands for a kill: not an `Exception`, so no `except Exception` in the code catches it."""


class KilledAfterBackend(EmailBackend):
    """The worker dies after `accept` messages: before the next one (`when="before"`), or just
    after the mail server accepted it, before anything is recorded (`when="after"`)."""

    accept: int | None = None
    when = "before"

    def send_messages(self, messages):
        cls = type(self)
        sent = 0
        for message in messages:
            if cls.accept is not None and cls.accept <= 0:
                cls.accept = None  # the next worker lives
                if cls.when == "after":
                    super().send_messages([message])
                raise WorkerKilled
            sent += super().send_messages([message])
            if cls.accept is not None:
                cls.accept -= 1
        return sent


class SlowFileBackend(EmailBackend):
    """For a worker in another process: each message takes `MAIL_DELAY` seconds with the "mail
    server", then is accepted as one file in `MAIL_DIR` (named after its recipient)."""

    def send_messages(self, messages):
        import os
        import time
        import uuid
        from pathlib import Path

        folder = Path(os.environ["MAIL_DIR"])
        for message in messages:
            time.sleep(float(os.environ.get("MAIL_DELAY", "0.2")))
            (folder / f"{message.to[0]}.{uuid.uuid4().hex}.eml").write_bytes(
                message.message().as_bytes()
            )
        return len(messages)


def die_after_claims(monkeypatch, deliveries, *, accept: int) -> None:
    """The worker dies once `accept` emails were claimed (and sent, confirmed), before the next
    claim: `deliveries` is the module whose `claim` the sending loop calls."""
    real_claim, claims = deliveries.claim, []

    def claim_or_die(row):
        if len(claims) == accept:
            monkeypatch.setattr(deliveries, "claim", real_claim)  # the next worker lives
            raise WorkerKilled
        claims.append(row)
        return real_claim(row)

    monkeypatch.setattr(deliveries, "claim", claim_or_die)
