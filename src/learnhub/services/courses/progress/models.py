"""Tables of the progress sub-domain."""

from __future__ import annotations
