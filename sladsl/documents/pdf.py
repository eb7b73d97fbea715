"""The PDF: WeasyPrint's rendering of the contract's HTML, reaching only its templates.

WeasyPrint gets a URL fetcher that serves `data:` URLs and the files inside the template
folders in use, judged on the resolved path, and refuses everything else (docs/rendering.md).
"""

from __future__ import annotations

import mimetypes
import os
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sladsl.resources import template_dir


def asset_folders(user_templates: Path | None = None) -> tuple[Path, ...]:
    """The only folders a PDF may load files from: the templates in use."""
    folders = [Path(os.path.realpath(user_templates))] if user_templates is not None else []
    return (*folders, Path(os.path.realpath(template_dir())))


def asset_path(url: str, folders: tuple[Path, ...]) -> Path | None:
    """The file a `file:` URL names, if it is inside one of `folders` once every symlink and
    `..` is resolved; None for anything else."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    real = Path(os.path.realpath(urllib.request.url2pathname(parts.path)))
    if not real.is_file():
        return None
    return real if any(real.is_relative_to(folder) for folder in folders) else None


def _fetcher(folders: tuple[Path, ...], refused: list[str]) -> Any:
    """A WeasyPrint URL fetcher that serves `data:` URLs and the files of the template folders,
    and refuses everything else (network, other local files) so the resource is left out."""
    import weasyprint.urls

    def allowed(url: str) -> tuple[Path, str]:
        path = asset_path(url, folders)
        if path is None:
            if url not in refused:
                refused.append(url)
            raise ValueError(f"{url}: a PDF loads only the files of its template folders")
        return path, mimetypes.guess_type(path.name)[0] or "application/octet-stream"

    if not hasattr(weasyprint.urls, "URLFetcher"):  # older WeasyPrint: a function that returns a dict

        def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
            if url[:5].lower() == "data:":
                return weasyprint.urls.default_url_fetcher(url, *args, **kwargs)
            path, kind = allowed(url)
            return {"string": path.read_bytes(), "mime_type": kind, "redirected_url": path.as_uri()}

        return fetch

    class TemplateAssets(weasyprint.urls.URLFetcher):  # type: ignore[misc]  # untyped library
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url[:5].lower() == "data:":
                return super().fetch(url, headers)
            path, kind = allowed(url)
            return weasyprint.urls.URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": kind})

    return TemplateAssets(allowed_protocols=("file", "data"), allow_redirects=False)


def html_to_pdf(html: str, user_templates: Path | None = None, warn: Callable[[str], None] | None = None) -> bytes:
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    folders = asset_folders(user_templates)
    refused: list[str] = []
    document = HTML(string=html, base_url=folders[0].as_uri() + "/", url_fetcher=_fetcher(folders, refused))
    pdf = document.write_pdf()
    assert pdf is not None
    if warn is not None:
        for url in refused:
            warn(f"the PDF leaves out {url}: it loads only files from the template folders")
    return bytes(pdf)
