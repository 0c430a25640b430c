"""Tables of the assignments sub-domain."""

from __future__ import annotations
