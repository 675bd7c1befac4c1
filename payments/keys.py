"""Reading the gateways' keys: from files (mounted secrets), once per
process, never logged. A missing or unreadable file is an
``ImproperlyConfigured`` naming the setting, not the key."""

from functools import cache
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


@cache
def _read(path: str) -> str:
    return Path(path).read_text(encoding="utf-8").strip()


def key_file_read(setting: str, path: str) -> str:
    if not path:
        raise ImproperlyConfigured(f"{setting} is not set.")
    try:
        return _read(path)
    except OSError as error:
        raise ImproperlyConfigured(f"{setting}: the file cannot be read ({error.strerror}).") from None


_generation = [0]


def key_files_generation() -> int:
    """Bumped by ``key_files_forget``: the gateways' clients, cached per configuration, are made anew."""
    return _generation[0]


def key_files_forget() -> None:
    """Read the files again (keys rotated; tests generate new ones)."""
    _read.cache_clear()
    _generation[0] += 1
