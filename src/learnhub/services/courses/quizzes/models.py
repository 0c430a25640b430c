"""Tables of the quizzes sub-domain."""

from __future__ import annotations
