"""A marker for "this input field was not given", distinct from an explicit ``None``."""

from __future__ import annotations

import enum
from typing import Final, Literal, TypeAlias


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = _Unset.UNSET
Unset: TypeAlias = Literal[_Unset.UNSET]
