"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    """The site's name, for the header and titles."""
    return {"site_name": settings.NEWSDESK["NEWSDESK_SITE_NAME"]}
