"""How dash reaches one Grafana: grafana-client for the HTTP, with our auth, TLS and retry policy.

grafana-client does the HTTP (niquests) and knows Grafana's legacy endpoints.
Used as it is, it never retries, lets a refused connection escape as a raw
niquests error and drops the sub-path of a URL without a trailing slash. This
module adds, without patching grafana-client:

- bounded retries with exponential backoff and full jitter for 429, 502, 503,
  504 and connection errors, honouring Retry-After; a write is retried too,
  since every write dash makes names its object by uid: a retry that meets a
  conflict (409/412) after an ambiguous failure is reconciled by re-reading;
- adaptive concurrency: writes (SQLite answers 500 "database is locked" to
  parallel writes) and reads (more readers while the server answers, half as
  many after a 429 or 5xx);
- errors that name the environment and the URL, and never a credential;
- one grafana-client per thread, so that each keeps its connections.
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import errno
import random
import re
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Iterator, TypeVar
from urllib.parse import urlsplit

import attrs

from ..config import ConfigError
from ..secrets import Secret, redact, remember
from .errors import AuthRejected, GrafanaError, Unreachable

if TYPE_CHECKING:
    from ..config import Environment

T = TypeVar("T")

RETRY_STATUSES = {429, 502, 503, 504}
WRITE_PUSHBACK = {429, 500, 503}  # on a write: the server takes fewer at once (AdaptiveLimit)
REFUSED_ATTEMPTS = 3  # nothing listens there: a restart takes seconds, a wrong port forever; do not wait 30 s
APIS = "s/"  # grafana-client joins paths to ".../api"; "s/x" reaches ".../apis/x" through its public GET


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
    at `start`, each 500/429/503 on a write halves the limit (down to 1), and
    each run of `limit` successes raises it by one, up to `ceiling`.

    Growing back probes for parallelism SQLite never has, and each probe costs
    some write a 500. So a write that was pushed back retries `alone()`: once
    the writes in flight are done, with no other beside it, ahead of the new
    ones. Its retry cannot meet the same lock again, whatever the limit does.
    """

    def __init__(self, start: int, ceiling: int) -> None:
        self.ceiling = max(1, ceiling)
        self.limit = max(1, min(start, self.ceiling))
        self.lowest = self.limit
        self._active = 0
        self._streak = 0
        self._alone = False  # a pushed-back write is in flight by itself
        self._waiting_alone = 0  # pushed-back writes waiting for the others to finish
        self._cond = threading.Condition()

    def __enter__(self) -> "AdaptiveLimit":
        with self._cond:
            while self._active >= self.limit or self._alone or self._waiting_alone:
                self._cond.wait()
            self._active += 1
        return self

    def __exit__(self, *exc: Any) -> None:
        with self._cond:
            self._active -= 1
            self._cond.notify_all()

    @contextlib.contextmanager
    def alone(self) -> Iterator["AdaptiveLimit"]:
        """The slot of a retry after pushback: no other request under this limit is in flight while it is."""
        with self._cond:
            self._waiting_alone += 1
            while self._active or self._alone:
                self._cond.wait()
            self._waiting_alone -= 1
            self._alone = True
            self._active += 1
        try:
            yield self
        finally:
            with self._cond:
                self._active -= 1
                self._alone = False
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
class BaseURL:
    """Where one Grafana is, parsed from an environment's url."""

    protocol: str
    host: str
    port: int | None
    prefix: str  # "" or "grafana/" (always with a trailing slash; grafana-client needs it)

    @classmethod
    def parse(cls, url: str) -> "BaseURL":
        parts = urlsplit(url)
        prefix = parts.path.strip("/")
        return cls(parts.scheme, parts.hostname or "", parts.port, f"{prefix}/" if prefix else "")

    def __str__(self) -> str:
        port = f":{self.port}" if self.port else ""
        return f"{self.protocol}://{self.host}{port}/{self.prefix}"


def _auth_class() -> type:
    """grafana-client takes any niquests AuthBase as `auth=`: our seam for the header and Retry-After."""
    import niquests

    class HeaderAuth(niquests.auth.AuthBase):
        """Sets Authorization, and records each answer's Retry-After for this thread (grafana-client's
        errors carry the body but no headers)."""

        def __init__(self, header: str | None, local: threading.local) -> None:
            self.header = header
            self.local = local

        def __call__(self, request: Any) -> Any:
            if self.header:
                request.headers["Authorization"] = self.header
            request.register_hook("response", self._remember)
            return request

        def _remember(self, response: Any, *args: Any, **kwargs: Any) -> Any:
            self.local.retry_after = response.headers.get("Retry-After")
            return response

    return HeaderAuth


class Transport:
    """One environment's Grafana: a grafana-client per thread, and `call` with the retry policy."""

    def __init__(self, env: "Environment", backoff: Backoff | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.env = env
        self.base = BaseURL.parse(env.url)
        self.backoff = backoff or Backoff()
        self.sleep = sleep
        self.attempts = env.retries + 1
        credentials = env.credentials()
        if (credentials is not None and self.base.protocol == "http" and not env.is_loopback
                and not env.allow_insecure_http):
            raise ConfigError(
                f"{env.source}: environments.{env.name}.url: refusing to send credentials over plain http:// to "
                f"{self.base.host}; use https://, or set allow_insecure_http: true if this network is trusted"
            )
        self._header = _auth_header(credentials)
        self._local = threading.local()
        self.retries = 0  # how many retries this run needed, for the report
        self.write_limit = AdaptiveLimit(start=min(4, env.writes), ceiling=env.writes)
        # Reads start at 8 and grow towards the ceiling while the server answers; a 429/5xx halves them.
        self.read_limit = AdaptiveLimit(start=min(8, env.reads), ceiling=env.reads)

    def client(self) -> Any:
        """This thread's grafana-client."""
        api = getattr(self._local, "api", None)
        if api is None:
            from grafana_client import GrafanaApi

            verify: Any = self.env.ca_bundle if self.env.ca_bundle else self.env.verify_tls
            api = GrafanaApi(
                auth=_auth_class()(self._header, self._local), host=self.base.host, port=self.base.port,
                url_path_prefix=self.base.prefix, protocol=self.base.protocol, verify=verify,
                timeout=self.env.timeout, organization_id=self.env.org_id, user_agent="dash (grafana-client)",
            )
            self._local.api = api
        self._local.retry_after = None
        return api

    def call(self, what: str, fn: Callable[[Any], T], *, write: bool = False,
             reconcile: Callable[[Any], T | None] | None = None) -> T:
        """Run `fn(grafana_client)` under the retry policy; `what` names the request in errors.

        A write retried after an ambiguous failure (no answer, 502, 504) may
        find that its first attempt did land, and get a conflict (409/412).
        `reconcile(grafana_client)` then re-reads the object and returns a
        result when it already is as wanted, which counts as success. Out of
        retries after such a failure, it looks the same way before giving up.
        """
        ambiguous = pushed = False
        attempt = 0
        while True:
            api = self.client()
            try:
                return self._once(fn, api, write, alone=pushed)
            except Exception as exc:  # noqa: BLE001 - sorted by _classify, re-raised when not grafana-client's
                failure, retry, ambiguous_now = self._classify(what, exc, write)
                if failure.status in (409, 412) and ambiguous and reconcile is not None:
                    settled = reconcile(api)
                    if settled is not None:
                        return settled
            attempt += 1
            ambiguous = ambiguous or ambiguous_now
            # A write the server pushed back retries alone (AdaptiveLimit.alone), not into the same lock.
            pushed = pushed or (write and failure.status in WRITE_PUSHBACK)
            refused = isinstance(failure, Unreachable) and failure.refused
            if not retry or attempt >= (min(self.attempts, REFUSED_ATTEMPTS) if refused else self.attempts):
                if retry and ambiguous and reconcile is not None:
                    settled = self._check_back(reconcile, api)
                    if settled is not None:
                        return settled
                raise failure
            self.retries += 1
            self.sleep(self.backoff.delay(attempt - 1, getattr(self._local, "retry_after", None)))

    def _check_back(self, reconcile: Callable[[Any], T | None], api: Any) -> T | None:
        """Out of retries after an attempt that may have landed: whether it did, leaving what we wanted.

        Without this look, a save whose answer was lost and whose retries all
        met errors is reported failed although Grafana holds it.
        """
        try:
            return reconcile(api)
        except GrafanaError:
            return None  # cannot tell: the failure stands

    def _once(self, fn: Callable[[Any], T], api: Any, write: bool, alone: bool = False) -> T:
        limit = self.write_limit if write else self.read_limit
        with limit.alone() if alone else limit:
            result = fn(api)
        limit.succeeded()
        return result

    def _classify(self, what: str, exc: Exception, write: bool) -> tuple[GrafanaError, bool, bool]:
        """(the error to report, whether to retry, whether the request may have landed)."""
        from grafana_client.client import GrafanaClientError, GrafanaException, GrafanaServerError, GrafanaTimeoutError
        from niquests.exceptions import RequestException

        if isinstance(exc, ValueError):  # a 2xx whose body is not JSON: grafana-client's json() failed
            return GrafanaError(f"{what}: {self.base} (env {self.env.name}) answered with something that is not "
                                "Grafana's JSON (an HTML page? a proxy's login page?); check the url and its "
                                "sub-path"), False, False
        if not isinstance(exc, (GrafanaTimeoutError, RequestException, GrafanaException)):
            raise exc
        status = getattr(exc, "status_code", 0) or 0
        if status in (429, 500, 503) or (not write and status in (502, 504)):
            (self.write_limit if write else self.read_limit).pushed_back()
        if isinstance(exc, (GrafanaTimeoutError, RequestException)) or status == 0:
            return self._unreachable(what, exc), True, True
        failure = self._http_error(what, exc)
        if isinstance(exc, GrafanaServerError):
            return failure, status in RETRY_STATUSES or (write and status == 500), status in (502, 504)
        if isinstance(exc, GrafanaClientError):
            return failure, status == 429, False
        raise exc  # pragma: no cover - every grafana-client error is one of the above

    def _unreachable(self, what: str, exc: BaseException) -> Unreachable:
        failure = self._unreachable_error(what, exc)
        failure.refused = _refused(exc)
        return failure

    def _unreachable_error(self, what: str, exc: BaseException) -> Unreachable:
        reason = " ".join(redact(str(exc)).split()) or type(exc).__name__
        reason = re.sub(r"<[\w.]+ object at 0x[0-9a-f]+>: ", "", reason)  # urllib3's object, not the cause
        if self.base.protocol == "https" and ("WRONG_VERSION_NUMBER" in reason or "record layer failure" in reason):
            return Unreachable(f"cannot reach Grafana at {self.base} (env {self.env.name}) for {what}: the server "
                               "does not speak TLS on this port; if it serves plain HTTP, use an http:// url "
                               f"(TLS error: {reason[-160:]})")
        if len(reason) > 300:  # the cause comes last in niquests' wording: keep both ends
            reason = reason[:120] + " ... " + reason[-170:]
        return Unreachable(f"cannot reach Grafana at {self.base} (env {self.env.name}) for {what}: {reason}")

    def _http_error(self, what: str, exc: Any) -> GrafanaError:
        status = exc.status_code
        body = exc.response
        message = body.get("message") if isinstance(body, dict) else str(body or "").strip()[:200]
        if status == 401:
            return AuthRejected(
                f"the credentials for env {self.env.name} ({self.env.auth_description()}) were rejected "
                f"(HTTP 401: {message}); check that they are valid for {self.base} and org {self.env.org_id}",
                status, body,
            )
        return GrafanaError(f"{what}: HTTP {status}: {message}", status, body)


def _refused(exc: BaseException) -> bool:
    """Nothing listens there: ECONNREFUSED somewhere in the exception's chain. niquests and urllib3 wrap the
    socket error, not always as a cause, so the text is the last resort."""
    seen: set[int] = set()
    todo: list[Any] = [exc]
    while todo:
        item = todo.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, ConnectionRefusedError) or getattr(item, "errno", None) == errno.ECONNREFUSED:
            return True
        todo.extend([item.__cause__, item.__context__, getattr(item, "reason", None), *item.args])
    return "connection refused" in str(exc).lower()


def _auth_header(credentials: Secret | tuple[str, Secret] | None) -> str | None:
    if isinstance(credentials, Secret):
        return f"Bearer {credentials.reveal()}"
    if isinstance(credentials, tuple):
        user, password = credentials
        pair = f"{user}:{password.reveal()}"
        remember(pair)  # an error body that echoes the header carries base64(user:password)
        return "Basic " + base64.b64encode(pair.encode()).decode()
    return None
