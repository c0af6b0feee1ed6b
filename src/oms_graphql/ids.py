"""Global ids of the form ``gid://oms/<Type>/<id>``."""

from __future__ import annotations

import re
from typing import NamedTuple

from oms_graphql.errors import BadUserInput
from oms_graphql.values import INT64_MAX

PREFIX = "gid://oms/"
_GID = re.compile(r"^gid://oms/([A-Z][A-Za-z]{0,63})/([1-9][0-9]{0,18})$")


class GlobalId(NamedTuple):
    type_name: str
    pk: int


def encode_gid(type_name: str, pk: int) -> str:
    return f"{PREFIX}{type_name}/{pk}"


def decode_gid(value: str, *, expected: str | None = None) -> GlobalId:
    """Parse a global id; raise ``BadUserInput`` when it is malformed or of another type."""
    match = _GID.match(value) if isinstance(value, str) else None
    if match is None or int(match.group(2)) > INT64_MAX:
        raise BadUserInput(
            f"invalid global id {value!r}: expected gid://oms/<Type>/<positive integer>",
            id=value,
        )
    gid = GlobalId(match.group(1), int(match.group(2)))
    if expected is not None and gid.type_name != expected:
        raise BadUserInput(
            f"global id {value!r} is a {gid.type_name} id, expected a {expected} id", id=value
        )
    return gid
