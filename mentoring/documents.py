"""Family documents' files: what a file is (read from its first bytes, never from its name),
the name it is handed back under, and the storage that keeps it.

Only PDF files and pictures a browser opens everywhere (PNG, JPEG, WebP) are taken: a
signed consent, a release of information or a court order arrives as a scan, a PDF or a
photo taken on a phone. HEIC photos are not taken: only Safari opens them, and an iPhone's
browser sends a JPEG when a page does not ask for HEIC.

Files are kept in the storage named ``documents`` in ``settings.STORAGES`` (a folder that
no address serves, or a private S3 bucket), under random names; the only way to read one
is ``mentoring.views.document_download``, which asks the policy first.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections.abc import Iterable

from django.core.files.storage import Storage, storages

# The content types taken, with the extension a downloaded file is given.
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
}
# Other spellings of the same extension a person's file may already carry.
SAME_EXTENSION = {".jpeg": ".jpg", ".jpe": ".jpg"}
HEAD_BYTES = 16  # enough for every signature below
FALLBACK_NAME = "document"
MAX_NAME_LENGTH = 120


def content_type_of(head: bytes) -> str | None:
    """The content type of a file that starts with ``head``, when it is one we take;
    None for anything else (HTML, a program, a word-processor file, an empty file)."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def sha256_of(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*;]')


def safe_file_name(name: str, content_type: str) -> str:
    """The name a person's file is listed and downloaded under: the last part of the name
    they gave (a browser may send a whole path), without control characters or characters
    file systems and headers refuse, no longer than ``MAX_NAME_LENGTH``, always ending in
    the extension of what the file really is (so a PDF named ``.html`` is saved as a PDF)."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE.sub("", name)
    name = " ".join(name.split()).strip(" .")
    extension = EXTENSIONS[content_type]
    stem, dot, given = name.rpartition(".")
    given = "." + given.lower() if dot else ""
    if dot and SAME_EXTENSION.get(given, given) == extension:
        name = stem.strip(" .")
    stem = name[: MAX_NAME_LENGTH - len(extension)].strip(" .") or FALLBACK_NAME
    return stem + extension


def new_stored_name() -> str:
    """A random name for a stored file: nothing about the family, the person or the file,
    in 256 folders so that none grows too large."""
    token = uuid.uuid4().hex
    return f"{token[:2]}/{token}"


def document_storage() -> Storage:
    return storages["documents"]
