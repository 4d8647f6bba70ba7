"""Which site an input file holds, its URLs, and which sites a run keeps.

The site comes from the file's name, as the archive.org dumps name them:
- an extracted `Posts.xml` takes the name of its folder: `cooking.stackexchange.com/Posts.xml`;
- an archive takes its own name without `.7z` and without a `-Posts` suffix:
  `cooking.stackexchange.com.7z`, `stackoverflow.com-Posts.7z`.
That domain gives the short name used in ids and in the `sites` parameter: without
`.stackexchange.com` if it ends so (`cooking`, `math.meta`), else without its last label
(`stackoverflow`, `superuser`, `mathoverflow`, `ru.stackoverflow`). A folder or archive
named without a dot (`cooking/Posts.xml`) is taken as `<name>.stackexchange.com`.

By default a run keeps the `max_sites` given sites with the most posts (rows of Posts.xml,
every type: RedPajama v1 ranked sites by the line count of Posts.xml), ties by name; a
`sites` list keeps those instead.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from typing import NamedTuple

SE_SUFFIX = ".stackexchange.com"


class Site(NamedTuple):
    name: str  # the short name: cooking, stackoverflow
    domain: str  # cooking.stackexchange.com, stackoverflow.com

    def question_url(self, question_id: int) -> str:
        return f"https://{self.domain}/questions/{question_id}"


def site_of(path: str) -> Site:
    """The site whose dump `path` is (the rules in this module's docstring)."""
    base = posixpath.basename(path.rstrip("/"))
    if base.lower().endswith(".7z"):
        domain = base[: -len(".7z")]
        if domain.lower().endswith("-posts"):
            domain = domain[: -len("-posts")]
    else:
        domain = posixpath.basename(posixpath.dirname(path.rstrip("/")))
    domain = domain.lower()
    if "." not in domain:
        domain += SE_SUFFIX
    if domain.endswith(SE_SUFFIX):
        name = domain[: -len(SE_SUFFIX)]
    else:
        name = domain.rsplit(".", 1)[0]
    return Site(name, domain)


def choose_sites(posts: Mapping[str, int], listed: Iterable[str], max_sites: int) -> frozenset:
    """The sites a run keeps: those `listed`, or else the `max_sites` with most posts."""
    listed = list(listed)
    if listed:
        return frozenset(listed)
    ranked = sorted(posts.items(), key=lambda item: (-item[1], item[0]))
    return frozenset(name for name, _ in ranked[:max_sites])
