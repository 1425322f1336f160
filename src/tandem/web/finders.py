"""Serve the few front-end files Tandem uses straight from node_modules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage


class NodeModulesFinder(BaseFinder):
    """Finds ``settings.VENDOR_FILES`` (static path → file under ``NODE_MODULES``).

    Naming each file keeps collectstatic from copying whole npm packages.
    """

    def _source(self, path: str) -> Path | None:
        relative = settings.VENDOR_FILES.get(path)
        return Path(settings.NODE_MODULES) / relative if relative else None

    def check(self, **kwargs) -> list[Error]:
        missing = [path for path in settings.VENDOR_FILES if not self._source(path).exists()]
        if not missing:
            return []
        return [
            Error(
                f"Front-end files missing from {settings.NODE_MODULES}: {', '.join(missing)}.",
                hint="Run `npm ci` in the repository (make run and make test do it).",
                id="tandem.E001",
            )
        ]

    def find(self, path: str, find_all: bool = False, **kwargs) -> str | list[str]:
        source = self._source(path)
        if source is None or not source.exists():
            return []  # what Django's own finders answer for "not found"
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns) -> Iterator[tuple[str, FileSystemStorage]]:
        for path in settings.VENDOR_FILES:
            source = self._source(path)
            if source.exists():
                storage = FileSystemStorage(location=str(source.parent))
                storage.prefix = str(Path(path).parent)
                yield source.name, storage
