"""Tables of the gradebook sub-domain."""

from __future__ import annotations
