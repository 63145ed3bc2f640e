"""newsdesk: a self-hosted automated news site."""

__version__ = "0.1.0"
