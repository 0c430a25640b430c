"""Tables of the catalog sub-domain."""

from __future__ import annotations
