"""Tables of the enrollment sub-domain."""

from __future__ import annotations
