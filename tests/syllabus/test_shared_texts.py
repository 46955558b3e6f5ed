"""Short texts repeated through the syllabus (ids, kinds) are one object each (config/yamlfile
`_shared`), as loaded and as the start-up cache restores them: memory the bot keeps for as long
as it runs."""

import pickle
from collections import defaultdict
from typing import Any

from seminarbot.config.yamlfile import SHARED_UP_TO
from seminarbot.syllabus.loader import load_syllabus
from seminarbot.syllabus.roots import ContentRoots


def copies(root: Any) -> dict[str, int]:
    """Each short text held more than once by distinct objects, with how many objects."""
    objects: dict[str, set[int]] = defaultdict(set)
    seen: set[int] = set()
    stack = [root]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, str):
            if len(item) <= SHARED_UP_TO:
                objects[item].add(id(item))
        elif isinstance(item, dict):
            stack.extend([*item.keys(), *item.values()])
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
        elif hasattr(item, "__dict__"):
            stack.extend(vars(item).values())
    return {text: len(ids) for text, ids in objects.items() if len(ids) > 1}


def test_repeated_ids_are_one_object_as_loaded_and_as_cached() -> None:
    syllabus = load_syllabus(ContentRoots.configured(None, None))
    assert not copies(syllabus)
    assert not copies(pickle.loads(pickle.dumps(syllabus, pickle.HIGHEST_PROTOCOL)))
