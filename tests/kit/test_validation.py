"""The field checks the services' request bodies share."""

from __future__ import annotations

import pytest

from learnhub.kit.validation import one_line


def test_white_space_runs_become_single_spaces() -> None:
    assert one_line("  Intro\r\n to\tChemistry  ") == "Intro to Chemistry"
    assert one_line(None) is None


@pytest.mark.parametrize("blank", ["", "   ", "\r\n\t"])
def test_blank_text_is_refused(blank: str) -> None:
    with pytest.raises(ValueError, match="must not be blank"):
        one_line(blank)
