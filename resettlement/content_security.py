"""Content-Security-Policy sources that come from configuration (read by the settings)."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured


def tile_source(url: str) -> str | None:
    """The CSP source that admits a base map's tiles, from its XYZ URL template; host labels
    holding a placeholder ({s}, {r}: the tile server's subdomains) become a wildcard:
    `https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png` -> `https://*.tile.openstreetmap.org`.
    None when there is no base map or the tiles come from this site (a path)."""
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.netloc:
        if parts.scheme:
            raise ImproperlyConfigured(f"MAP_TILES_URL has no host: {url!r}")
        return None  # a path on this site: 'self'
    if parts.scheme not in {"", "http", "https"}:
        raise ImproperlyConfigured(f"MAP_TILES_URL must be an http(s) URL, not {url!r}")
    host = parts.netloc.rsplit("@", 1)[-1].lower()
    name, colon, port = host.partition(":")
    if "{" in port:
        raise ImproperlyConfigured(f"MAP_TILES_URL has a placeholder in its port: {url!r}")
    labels = name.split(".")
    templated = [index for index, label in enumerate(labels) if "{" in label]
    if templated:
        fixed = labels[templated[-1] + 1 :]
        if len(fixed) < 2:
            raise ImproperlyConfigured(
                f"MAP_TILES_URL may template only the leading labels of its host name: {url!r}"
            )
        labels = ["*", *fixed]
    source = ".".join(labels) + colon + port
    return f"{parts.scheme}://{source}" if parts.scheme else source
