"""Celery tasks for accounts: thin wrappers around services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from accounts import services


@shared_task(
    name="accounts.send_notification_emails",
    autoretry_for=(OSError,),
    retry_backoff=60,
    max_retries=5,
)
def send_notification_emails(*, notification_ids: list[int]) -> int:
    """E-mail the given notifications to recipients who opted in (each at most once)."""
    return services.notification_emails_send(notification_ids=notification_ids)
