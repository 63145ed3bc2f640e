"""Template context shared by every page."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """The site's name, for the header and titles; the sections, for the navigation."""
    from newsdesk.site.data import section_names, section_ref

    return {
        "site_name": settings.NEWSDESK["NEWSDESK_SITE_NAME"],
        "nav_sections": [section_ref(name) for name in section_names()[:10]],
    }
