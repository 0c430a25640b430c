"""Log-in throttling that slows the attacker down without locking the owner out.

Three counters, kept in the cache so every replica sees them:

- **pair** (e-mail, client address): ``login_free_failures`` free failures, then a wait
  before each further attempt that starts at ``login_first_wait`` and doubles with every
  failure up to ``login_max_wait`` (Keycloak's brute-force detection, but per pair). A
  success forgets the pair's failures. Someone guessing a password from one address waits
  longer and longer; the owner at another address is not concerned at all.
- **address**: failures from one address over any e-mails. Past ``login_address_ceiling``
  within the window (credential stuffing) the address is *paced*: it keeps
  ``login_paced_attempts_per_minute`` attempts a minute for e-mails that never logged in
  from it. Nobody is locked out, and a school behind one address stays far below it.
- **account**: failures for one e-mail from any address (a botnet guessing one password
  from many addresses). Past ``login_account_ceiling`` the e-mail is paced in the same way
  for addresses it never logged in from.

A success marks the pair as *known* for ``login_known_pair_ttl``; known pairs are never
paced, so people logging in from where they usually do are not slowed by an attack from
elsewhere, or by one on their own network aimed at others. Counters are keyed by the
e-mail as typed (hashed), whether or not it has an account, so the answers are the same
for unknown e-mails. Only one check of a pair runs at a time, so parallel guesses cannot
share one free attempt.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from prometheus_client import Counter

from learnhub.kit.cache import Cache
from learnhub.services.auth.config import AuthSettings
from learnhub.services.auth.errors import TooManyAttempts

# A check that crashed before it could release its pair frees it after this many seconds.
_IN_FLIGHT_SECONDS = 30
# Keeps a wait's record a little past its end; the stored deadline is what counts.
_WAIT_RECORD_SLACK = 60
_MINUTE = 60

LOGINS_THROTTLED = Counter(
    "learnhub_auth_logins_throttled_total",
    "Log-in attempts refused with 429, by the limit that refused them: pair (waiting after "
    "failures), pair-busy (one check per pair at a time), address or account (paced).",
    ["limit"],
)


def wait_after(failures: int, settings: AuthSettings) -> int:
    """Seconds a pair waits after its ``failures``-th failure: none while failures are
    free, then ``login_first_wait`` doubled for each failure past the free ones, capped."""
    past_free = failures - settings.login_free_failures
    if past_free < 0:
        return 0
    doublings = min(past_free, 32)  # beyond this the cap has long been reached
    return min(settings.login_max_wait, settings.login_first_wait * 2**doublings)


@dataclass(frozen=True)
class _Keys:
    account: str
    address: str

    @property
    def pair(self) -> str:
        return f"{self.account}:{self.address}"


class LoginThrottle:
    """Decides whether a log-in attempt may check its password, and learns from the result.

    ``clock`` gives the current time in seconds; tests pass a fake one to skip waits.
    """

    def __init__(
        self, cache: Cache, settings: AuthSettings, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.cache = cache
        self.settings = settings
        self.clock = clock

    async def admit(self, *, email: str, address: str | None) -> LoginAttempt:
        """Let one attempt through to the password check, or raise :class:`TooManyAttempts`.

        The caller reports the outcome on the returned attempt and always releases it."""
        keys = _Keys(
            account=hashlib.sha256(email.encode()).hexdigest()[:32], address=address or "unknown"
        )
        now = self.clock()
        waiting_until = await self.cache.get(f"login:wait:{keys.pair}")
        if waiting_until is not None and float(waiting_until) > now:
            raise _too_many(math.ceil(float(waiting_until) - now), limit="pair")
        if await self.cache.incr(f"login:checking:{keys.pair}", ttl=_IN_FLIGHT_SECONDS) > 1:
            raise _too_many(1, limit="pair-busy")
        attempt = LoginAttempt(self, keys)
        try:
            if await self.cache.get(f"login:known:{keys.pair}") is None:
                await self._pace("address", keys.address, now=now)
                await self._pace("account", keys.account, now=now)
        except TooManyAttempts:
            await attempt.release()
            raise
        return attempt

    async def _pace(self, kind: str, key: str, *, now: float) -> None:
        """Past its ceiling, an address or an e-mail gets a few attempts a minute (for
        pairs that never logged in)."""
        ceiling = (
            self.settings.login_address_ceiling
            if kind == "address"
            else self.settings.login_account_ceiling
        )
        failures = await self.cache.get(f"login:failures:{kind}:{key}")
        if failures is None or int(failures) < ceiling:
            return
        minute = int(now // _MINUTE)
        used = await self.cache.incr(f"login:paced:{kind}:{key}:{minute}", ttl=2 * _MINUTE)
        if used > self.settings.login_paced_attempts_per_minute:
            raise _too_many(max(1, math.ceil((minute + 1) * _MINUTE - now)), limit=kind)


class LoginAttempt:
    """One admitted attempt; report how its password check went, then release it."""

    def __init__(self, throttle: LoginThrottle, keys: _Keys) -> None:
        self._throttle = throttle
        self._keys = keys

    async def failed(self) -> None:
        cache, settings, keys = self._throttle.cache, self._throttle.settings, self._keys
        failures = await cache.incr(
            f"login:failures:pair:{keys.pair}", ttl=settings.login_failure_memory
        )
        wait = wait_after(failures, settings)
        if wait:
            await cache.set(
                f"login:wait:{keys.pair}",
                str(self._throttle.clock() + wait),
                ttl=wait + _WAIT_RECORD_SLACK,
            )
        window = settings.login_ceiling_window
        await cache.incr(f"login:failures:address:{keys.address}", ttl=window)
        await cache.incr(f"login:failures:account:{keys.account}", ttl=window)

    async def succeeded(self) -> None:
        cache, keys = self._throttle.cache, self._keys
        await cache.delete(f"login:failures:pair:{keys.pair}")
        await cache.delete(f"login:wait:{keys.pair}")
        await cache.set(
            f"login:known:{keys.pair}", "1", ttl=self._throttle.settings.login_known_pair_ttl
        )

    async def release(self) -> None:
        await self._throttle.cache.delete(f"login:checking:{self._keys.pair}")


def _too_many(seconds: int, *, limit: str) -> TooManyAttempts:
    LOGINS_THROTTLED.labels(limit).inc()
    return TooManyAttempts(
        f"Too many log-in attempts. Try again in {seconds} seconds.", retry_after=seconds
    )
