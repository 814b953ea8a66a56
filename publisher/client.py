"""A thin layer over grafana-client that closes its gaps.

grafana-client does the HTTP (niquests) and knows Grafana's endpoints. Used as
it is, it never retries, lets a refused connection escape as a raw niquests
error, drops the sub-path of a URL without a trailing slash, has no paging for
search, and sends the version list's `limit`/`start` as a form body that
Grafana ignores. This module adds:

- bounded retries with exponential backoff and full jitter for 429, 502, 503,
  504 and connection errors, honouring Retry-After; a write is retried only
  when it is safe to repeat (every write dash makes names its object by uid,
  and a retried write that meets a conflict is reconciled by re-reading the
  object), and a 500 on a write (SQLite's "database is locked") is retried too;
- errors that name the environment and the URL, and never the token;
- search paging (Grafana caps a page at 5000), version paging;
- one grafana-client per thread, for bounded concurrent reads and writes.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterable, Sequence, TypeVar
from urllib.parse import urlsplit

import attrs

from .config import ConfigError, Environment
from .secrets import Secret, redact

T = TypeVar("T")

SEARCH_PAGE = 5000  # Grafana's maximum page size (behaviour.md §2)
UIDS_PER_SEARCH = 100  # keeps the query string well under proxies' URL limits
RETRY_STATUSES = {429, 502, 503, 504}


class GrafanaError(Exception):
    """A request that failed for good. `status` is 0 when no HTTP answer came."""

    def __init__(self, message: str, status: int = 0, body: Any = None) -> None:
        super().__init__(redact(message))
        self.status = status
        self.body = body

    @property
    def server_message(self) -> str:
        if isinstance(self.body, dict) and isinstance(self.body.get("message"), str):
            return redact(self.body["message"])
        return redact(str(self.body or "")).strip()[:200]


class AuthRejected(GrafanaError):
    """401: the credentials are wrong, expired or for another org."""


class Unreachable(GrafanaError):
    """No HTTP answer at all: refused, reset, timed out, TLS failure."""


@attrs.frozen
class Backoff:
    base: float = 0.2
    cap: float = 5.0
    max_retry_after: float = 30.0

    def delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after:
            wait = _retry_after_seconds(retry_after)
            if wait is not None:
                return min(wait, self.max_retry_after)
        return random.uniform(0, min(self.cap, self.base * (2 ** attempt)))  # full jitter


def _retry_after_seconds(value: str) -> float | None:
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class AdaptiveLimit:
    """How many writes may be in flight: halved when Grafana pushes back, grown back one at a time.

    Grafana's default SQLite backend answers 500 "database is locked" to
    parallel writes; Postgres and MySQL take them in parallel. So writes start
    at `start`, and each 500/429/503 on a write halves the limit (down to 1);
    each run of `limit` successes raises it by one, up to `ceiling`
    (`concurrency.writes`). Additive increase, multiplicative decrease.
    """

    def __init__(self, start: int, ceiling: int) -> None:
        self.ceiling = max(1, ceiling)
        self.limit = max(1, min(start, self.ceiling))
        self.lowest = self.limit
        self._active = 0
        self._streak = 0
        self._cond = threading.Condition()

    def __enter__(self) -> "AdaptiveLimit":
        with self._cond:
            while self._active >= self.limit:
                self._cond.wait()
            self._active += 1
        return self

    def __exit__(self, *exc: Any) -> None:
        with self._cond:
            self._active -= 1
            self._cond.notify_all()

    def succeeded(self) -> None:
        with self._cond:
            self._streak += 1
            if self._streak >= self.limit and self.limit < self.ceiling:
                self.limit += 1
                self._streak = 0
                self._cond.notify_all()

    def pushed_back(self) -> None:
        with self._cond:
            self.limit = max(1, self.limit // 2)
            self.lowest = min(self.lowest, self.limit)
            self._streak = 0


@attrs.frozen
class Target:
    """Where and how to reach one Grafana, parsed from an environment."""

    protocol: str
    host: str
    port: int | None
    prefix: str  # "" or "grafana/" (always with a trailing slash; grafana-client needs it)

    @classmethod
    def parse(cls, url: str) -> "Target":
        parts = urlsplit(url)
        prefix = parts.path.strip("/")
        return cls(parts.scheme, parts.hostname or "", parts.port, f"{prefix}/" if prefix else "")

    @property
    def base_url(self) -> str:
        port = f":{self.port}" if self.port else ""
        return f"{self.protocol}://{self.host}{port}/{self.prefix}"


class Grafana:
    """One environment's Grafana, reached through grafana-client with retries."""

    def __init__(self, env: Environment, backoff: Backoff | None = None, sleep: Callable[[float], None] = time.sleep):
        self.env = env
        self.target = Target.parse(env.url)
        self.backoff = backoff or Backoff()
        self.sleep = sleep
        self.attempts = env.retries + 1
        credentials = env.credentials()
        if credentials is not None and self.target.protocol == "http" and not env.is_loopback and not env.allow_insecure_http:
            raise ConfigError(
                f"{env.source}: environments.{env.name}.url: refusing to send credentials over plain http:// to "
                f"{self.target.host}; use https://, or set allow_insecure_http: true if this network is trusted"
            )
        self._credentials = credentials
        self._local = threading.local()
        self.retries = 0  # how many retries this run needed, for the report
        # Long-lived pools, so that each thread keeps its client and its connections.
        self._reads = ThreadPoolExecutor(max_workers=env.reads, thread_name_prefix="dash-read")
        self._writes = ThreadPoolExecutor(max_workers=env.writes, thread_name_prefix="dash-write")
        self.write_limit = AdaptiveLimit(start=min(4, env.writes), ceiling=env.writes)

    def close(self) -> None:
        self._reads.shutdown(wait=True)
        self._writes.shutdown(wait=True)

    def __enter__(self) -> "Grafana":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def map_reads(self, items: Iterable[Any], fn: Callable[[Any], T]) -> list[T | BaseException]:
        """fn(item) for each item, at most `concurrency.reads` at once; results or exceptions, in order."""
        return _map(self._reads, items, fn)

    def map_writes(self, items: Iterable[Any], fn: Callable[[Any], T]) -> list[T | BaseException]:
        """Like map_reads, at most `concurrency.writes` at once (SQLite serialises writes anyway)."""
        return _map(self._writes, items, fn)

    # --- grafana-client per thread ---------------------------------------------------

    def api(self):
        """This thread's grafana-client for the legacy /api."""
        return self._api("api")

    def _api(self, base: str):
        """This thread's grafana-client for `base`: "api", or "apis" (Grafana's Kubernetes-style APIs).

        grafana-client knows only /api; its request runner (auth, session, error
        mapping) serves /apis as well once its base URL says so.
        """
        api = getattr(self._local, base, None)
        if api is None:
            from grafana_client import GrafanaApi

            creds = self._credentials
            if isinstance(creds, Secret):
                auth: Any = creds.reveal()
            elif isinstance(creds, tuple):
                auth = (creds[0], creds[1].reveal())
            else:
                auth = None
            verify: Any = self.env.ca_bundle if self.env.ca_bundle else self.env.verify_tls
            api = GrafanaApi(
                auth=auth,
                host=self.target.host,
                port=self.target.port,
                url_path_prefix=self.target.prefix,
                protocol=self.target.protocol,
                verify=verify,
                timeout=self.env.timeout,
                organization_id=self.env.org_id,
                user_agent="dash (grafana-client)",
            )
            local = self._local

            def remember(response, *args, **kwargs):
                local.retry_after = response.headers.get("Retry-After")
                return response

            api.client.s.hooks["response"].append(remember)
            if base == "apis":
                api.client.url = api.client.url.removesuffix("api") + "apis"
            setattr(self._local, base, api)
        self._local.retry_after = None
        return api

    # --- one call, with retries ------------------------------------------------------

    def call(
        self,
        what: str,
        fn: Callable[[Any], T],
        *,
        write: bool = False,
        reconcile: Callable[[Any], T | None] | None = None,
        base: str = "api",
    ) -> T:
        """Run `fn(api)`, retrying what is safe to retry; `what` names the request in errors.

        A write retried after an ambiguous failure (no answer, 502, 504) may
        find that its first attempt did land, and get a conflict (409/412).
        `reconcile(api)` then re-reads the object and returns a result when it
        already is as wanted, which counts as success.
        """
        from grafana_client.client import GrafanaClientError, GrafanaException, GrafanaServerError, GrafanaTimeoutError
        from niquests.exceptions import RequestException

        ambiguous = False
        attempt = 0
        while True:
            api = self._api(base)
            try:
                if write:
                    with self.write_limit:
                        result = fn(api)
                    self.write_limit.succeeded()
                    return result
                return fn(api)
            except (GrafanaTimeoutError, RequestException, GrafanaException) as exc:
                if write and getattr(exc, "status_code", 0) in (429, 500, 503):
                    self.write_limit.pushed_back()
                status = getattr(exc, "status_code", 0) or 0
                if isinstance(exc, GrafanaTimeoutError) or isinstance(exc, RequestException) or status == 0:
                    failure = self._unreachable(what, exc)
                    retry = True
                    ambiguous_now = True
                elif isinstance(exc, GrafanaServerError):
                    failure = self._http_error(what, exc)
                    retry = status in RETRY_STATUSES or (write and status == 500)
                    ambiguous_now = status in (502, 504)
                elif isinstance(exc, GrafanaClientError):
                    failure = self._http_error(what, exc)
                    retry = status == 429
                    ambiguous_now = False
                    if status in (409, 412) and ambiguous and reconcile is not None:
                        settled = reconcile(api)
                        if settled is not None:
                            return settled
                else:  # pragma: no cover - every grafana-client error is one of the above
                    raise
            attempt += 1
            ambiguous = ambiguous or ambiguous_now
            if not retry or attempt >= self.attempts:
                raise failure
            self.retries += 1
            self.sleep(self.backoff.delay(attempt - 1, getattr(self._local, "retry_after", None)))

    def _unreachable(self, what: str, exc: BaseException) -> Unreachable:
        reason = redact(str(exc)).split("\n")[0][:200] or type(exc).__name__
        return Unreachable(f"cannot reach Grafana at {self.target.base_url} (env {self.env.name}) for {what}: {reason}")

    def _http_error(self, what: str, exc: Any) -> GrafanaError:
        status = exc.status_code
        body = exc.response
        message = body.get("message") if isinstance(body, dict) else str(body or "").strip()[:200]
        if status == 401:
            return AuthRejected(
                f"the credentials for env {self.env.name} ({self.env.auth_description()}) were rejected "
                f"(HTTP 401: {message}); check that they are valid for {self.target.base_url} and org {self.env.org_id}",
                status, body,
            )
        return GrafanaError(f"{what}: HTTP {status}: {message}", status, body)

    # --- helpers over grafana-client -------------------------------------------------

    def delete(self, what: str, fn: Callable[[Any], Any], base: str = "api") -> None:
        """A delete by uid. Finding it gone (404: a retried delete whose first attempt landed) is success."""
        try:
            self.call(what, fn, write=True, base=base)
        except GrafanaError as exc:
            if exc.status != 404:
                raise

    def get_or_none(self, what: str, fn: Callable[[Any], T]) -> T | None:
        """A read whose 404 means "absent"."""
        try:
            return self.call(what, fn)
        except GrafanaError as exc:
            if exc.status == 404:
                return None
            raise

    def search(self, **filters: Any) -> list[dict[str, Any]]:
        """Every search hit, page after page (grafana-client has no paging)."""
        hits: list[dict[str, Any]] = []
        page = 1
        while True:
            batch = self.call(
                f"search page {page}",
                lambda api: api.search.search_dashboards(limit=SEARCH_PAGE, page=page, **filters),
            )
            hits.extend(batch)
            if len(batch) < SEARCH_PAGE:
                return hits
            page += 1

    def search_uids(self, uids: Sequence[str], type_: str = "dash-db") -> list[dict[str, Any]]:
        hits: list[dict[str, Any]] = []
        for start in range(0, len(uids), UIDS_PER_SEARCH):
            hits.extend(self.search(type_=type_, dashboard_uids=list(uids[start:start + UIDS_PER_SEARCH])))
        return hits

    def dashboard_versions(self, uid: str, limit: int = 20, start: int = 0) -> list[dict[str, Any]]:
        """Newest first. grafana-client sends limit/start as a form body, so call GET with params."""
        answer = self.call(
            f"versions of dashboard {uid!r}",
            lambda api: api.client.GET(f"/dashboards/uid/{uid}/versions", params={"limit": limit, "start": start}),
        )
        if isinstance(answer, dict):  # Grafana >= 11.6: {"continueToken", "versions"}
            return list(answer.get("versions") or [])
        return list(answer or [])

    def health(self) -> dict[str, Any]:
        return self.call("health check", lambda api: api.health.check())

    @property
    def namespace(self) -> str:
        """The /apis namespace of this environment's org: "default" for org 1 on-prem, else "org-<id>"."""
        return "default" if self.env.org_id == 1 else f"org-{self.env.org_id}"

    def has_api_group(self, group_version: str) -> bool:
        """Whether the server serves an /apis group version, e.g. "queries.grafana.app/v1"."""
        try:
            self.call(f"discovery of {group_version}", lambda api: api.client.GET(f"/{group_version}"), base="apis")
        except GrafanaError as exc:
            if exc.status in (404, 403):  # absent, or not exposed to this token
                return False
            raise
        return True


def _map(pool: ThreadPoolExecutor, items: Iterable[Any], fn: Callable[[Any], T]) -> list[T | BaseException]:
    def guarded(item: Any) -> T | BaseException:
        try:
            return fn(item)
        except Exception as exc:  # noqa: BLE001 - collected and reported per object
            return exc

    items = list(items)
    if len(items) <= 1:
        return [guarded(item) for item in items]
    return list(pool.map(guarded, items))
