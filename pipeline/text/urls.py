"""URL normalisation shared by the cited-URL table and whoever joins against it."""

from __future__ import annotations

from urllib.parse import urlsplit


def normalize_url(url: str) -> str:
    """Scheme and `www.` dropped, host lower-cased, fragment and trailing slash removed:
    `https://www.Example.org/a/#x` and `http://example.org/a` both give `example.org/a`."""
    url = url.strip()
    if url.startswith("//"):
        url = "http:" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if parts.port:
        host = f"{host}:{parts.port}"
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{path}{query}"
