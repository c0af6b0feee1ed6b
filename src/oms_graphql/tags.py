"""Tags on customers, orders and drafts: trimmed, unique ignoring case, bounded."""

from __future__ import annotations

from collections.abc import Sequence

from oms_graphql.errors import Problem

TAG_MAX_LENGTH = 255
TAGS_MAX = 250


def normalize_tags(
    tags: Sequence[str], path: tuple[str, ...], problems: list[Problem]
) -> list[str]:
    """Trimmed tags without blanks or case-insensitive duplicates, in the order given."""
    if len(tags) > TAGS_MAX:
        problems.append(Problem("TOO_LONG", f"at most {TAGS_MAX} tags", path))
    clean: dict[str, str] = {}
    for index, raw in enumerate(tags):
        tag = " ".join(raw.split())
        if not tag:
            problems.append(Problem("BLANK", "a tag can't be blank", (*path, str(index))))
        elif len(tag) > TAG_MAX_LENGTH:
            problems.append(
                Problem(
                    "TOO_LONG", f"a tag is at most {TAG_MAX_LENGTH} characters", (*path, str(index))
                )
            )
        else:
            clean.setdefault(tag.lower(), tag)
    return list(clean.values())


def edit_tags(
    current: Sequence[str],
    *,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    path: tuple[str, ...],
    problems: list[Problem],
) -> list[str]:
    """``current`` without the tags to remove and with the ones to add, ignoring case (the
    spelling already stored wins); tagsAdd and tagsRemove on any taggable object."""
    adding = normalize_tags(add, path, problems)
    removing = {tag.lower() for tag in normalize_tags(remove, path, problems)}
    known = {tag.lower() for tag in current}
    tags = [tag for tag in current if tag.lower() not in removing]
    tags += [tag for tag in adding if tag.lower() not in known]
    if len(tags) > TAGS_MAX:
        problems.append(Problem("TOO_LONG", f"at most {TAGS_MAX} tags", path))
    return tags
