"""Who is calling: a bearer token, or the browser's session (with its CSRF token)."""

from __future__ import annotations

import re
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.throttling import BaseThrottle

from tandem.core.services.tokens import user_for_token


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``, a token made by ``tandem token create``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return user_for_token(token.strip())


class BrowserSession(APIKeyCookie):
    """The web UI's own session; unsafe methods need the CSRF token, as in the UI.

    CSRF is only checked for a logged-in session, so that a request without any credentials
    gets 401, not a CSRF complaint.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        return user if user.is_authenticated and user.is_active else None


_RATE = re.compile(r"^\s*(\d+)\s*/\s*(s|m|h)\s*$")
_PERIODS = {"s": 1, "m": 60, "h": 3600}


class UserRateThrottle(BaseThrottle):
    """At most ``TANDEM_API_RATE`` requests per user ("50/s", "3000/m"; "0" for no limit),
    counted in fixed windows in Django's cache (per server process with the default cache)."""

    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request: HttpRequest) -> bool:
        match = _RATE.match(str(settings.TANDEM_API_RATE))
        user = getattr(request, "auth", None)
        if match is None or user is None:
            return True
        limit, period = int(match[1]), _PERIODS[match[2]]
        if limit == 0:
            return True
        now = time.time()
        window = int(now // period)
        key = f"tandem-api-rate:{user.pk}:{period}:{window}"
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=period + 1)
            count = 1
        self._wait = (window + 1) * period - now
        return count <= limit

    def wait(self) -> float | None:
        return self._wait
