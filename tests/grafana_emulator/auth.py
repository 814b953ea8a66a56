"""Authentication (behaviour.md §0): Bearer tokens, Basic auth, X-Grafana-Org-Id and the errutil 401 bodies."""

from __future__ import annotations

import base64
from typing import Any

from .model import User, errutil

UNAUTHORIZED = errutil(401, "auth.unauthorized", "Unauthorized")
INVALID_KEY = errutil(401, "api-key.invalid", "Invalid API key")
ORG_MISMATCH = errutil(401, "api-key.organization-mismatch", "API key does not belong to the requested organization")


def authenticate(tokens: dict[str, User], users: dict[tuple[str, str], User],
                 headers: Any) -> tuple[User | None, int | None, dict[str, Any] | None]:
    """(user, org id, None) or (None, None, the 401 body)."""
    auth = headers.get("Authorization") or ""
    user = None
    token_org = None
    if auth.startswith("Bearer "):
        user = tokens.get(auth[7:].strip())
        if user is None:
            return None, None, INVALID_KEY
        token_org = user.orgs[0]
    elif auth.startswith("Basic "):
        try:
            login, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None, None, UNAUTHORIZED
        if login == "api_key":  # Basic auth with the token as password (behaviour.md §0)
            user = tokens.get(password)
            token_org = user.orgs[0] if user else None
        else:
            user = users.get((login, password))
        if user is None:
            return None, None, UNAUTHORIZED
    else:
        return None, None, UNAUTHORIZED
    org_header = headers.get("X-Grafana-Org-Id")
    if org_header:
        try:
            org_id = int(org_header)
        except ValueError:
            return None, None, UNAUTHORIZED
        if token_org is not None and org_id != token_org:
            return None, None, ORG_MISMATCH
        if org_id not in user.orgs:
            return None, None, errutil(401, "auth.unauthorized", "User not a member of the requested organization")
    else:
        org_id = token_org or user.orgs[0]
    return user, org_id, None
