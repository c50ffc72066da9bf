"""Hmong: the English formats until a translator gives Hmong ones (month names come from the
Hmong catalogue when it has them)."""

from psp.formats.en.formats import *  # noqa: F403
