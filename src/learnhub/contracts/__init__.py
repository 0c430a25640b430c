"""Event contracts: the only code services share.

One module per producing service. Each event is a frozen pydantic model registered under
its versioned wire name (``user.registered.v1``); a breaking change is a new class with a
new version, published beside the old one until every consumer has moved.
"""

from learnhub.contracts import auth, courses, users
from learnhub.contracts.base import CONTRACTS, EventPayload, contract

__all__ = ["CONTRACTS", "EventPayload", "auth", "contract", "courses", "users"]
