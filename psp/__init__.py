"""PSP Case Management: the project package (settings, people, programs, policy, audit)."""

from psp.celery import app as celery_app

__all__ = ["celery_app"]
