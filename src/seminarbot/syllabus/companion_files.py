"""content/ files beside the section maps: people, timeline, further reading, roles, and the
terms pass's exclusions. Each file is optional here; `content check` says which are required.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from seminarbot.config.yamlfile import Node, YamlError, load_yaml
from seminarbot.domain.companion import (
    WORK_RELATIONS,
    Companion,
    Exclusion,
    Role,
    RoleTask,
    TimelineEvent,
    Work,
    parse_date,
)
from seminarbot.domain.syllabus import ORIGINS, GlossaryEntry, Syllabus

PEOPLE, TIMELINE, READING, ROLES, EXCLUDED = ("people.yaml", "timeline.yaml",
                                              "further-reading.yaml", "roles.yaml",
                                              "glossary-excluded.yaml")
FILES = (PEOPLE, TIMELINE, READING, ROLES, EXCLUDED)
Shown = Callable[[Path], str]
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def entry_place(content: Path, entry: GlossaryEntry) -> tuple[Path, str]:
    """The file an entry comes from and its key there, for messages."""
    if entry.category == "person" and (content / PEOPLE).exists():
        return content / PEOPLE, f"people.{entry.id}"
    return content / "glossary.yaml", f"entries.{entry.id}"


def origin(item: Node) -> str | None:
    """An entry's `origin`, one of ORIGINS (optional here; `content check` requires it)."""
    value = item.text("origin", required=False)
    if value is not None and value not in ORIGINS:
        item.fail("origin", f"expected one of {', '.join(ORIGINS)}, got {value!r}")
    return value  # type: ignore[no-any-return]


def _node(path: Path, shown: Shown) -> Node | None:
    return Node(load_yaml(path, shown=shown(path)), shown(path)) if path.exists() else None


def load_companion(content: Path, shown: Shown) -> tuple[list[GlossaryEntry], Companion]:
    """People (as glossary entries of the category person) and the other files' contents."""
    people = _people(_node(content / PEOPLE, shown))
    roles, tasks = _roles(_node(content / ROLES, shown))
    companion = Companion(
        timeline=tuple(_timeline(_node(content / TIMELINE, shown))),
        works=tuple(_works(_node(content / READING, shown))),
        roles=roles, tasks=tasks,
        exclusions=tuple(_exclusions(_node(content / EXCLUDED, shown))),
        present=frozenset(name for name in FILES if (content / name).exists()),
    )
    return people, companion


def _people(node: Node | None) -> list[GlossaryEntry]:
    if node is None:
        return []
    people = []
    for item in node.children("people"):
        people.append(GlossaryEntry(
            id=_id(item), term=item.text("name"), category="person",
            definition=item.text("identification"), sections=tuple(item.text_list("sections")),
            aliases=tuple(item.text_list("aliases", required=False)),
            related=tuple(item.text_list("related", required=False)),
            original=item.text("original", required=False), life=item.text("life"),
            romanized=item.text("romanized", required=False), origin=origin(item)))
        item.finish()
    node.finish()
    return people


def _id(item: Node) -> str:
    value: str = item.text("id")
    if not _ID.fullmatch(value):
        item.fail("id", f"expected a lowercase kebab-case id such as 'kirov', got {value!r}")
    return value


def _date(item: Node, name: str, required: bool = True) -> str | None:
    value = item.text(name, required=required)
    if value is not None and parse_date(value) is None:
        item.fail(name, f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
    return value  # type: ignore[no-any-return]


def _timeline(node: Node | None) -> list[TimelineEvent]:
    if node is None:
        return []
    events = []
    for item in node.children("events"):
        events.append(TimelineEvent(
            id=_id(item), date=_date(item, "date") or "", title=item.text("title"),
            note=item.text("note"), sections=tuple(item.text_list("sections")),
            mentions=tuple(item.text_list("mentions")), until=_date(item, "until", False),
            old_style=_date(item, "old_style", False)))
        item.finish()
    node.finish()
    return events


def _works(node: Node | None) -> list[Work]:
    if node is None:
        return []
    works = []
    for item in node.children("works"):
        relation = item.text("relation")
        if relation not in WORK_RELATIONS:
            item.fail("relation", f"expected one of {', '.join(WORK_RELATIONS)}, "
                      f"got {relation!r}")
        works.append(Work(
            id=_id(item), author=item.text("author"), title=item.text("title"),
            published=item.text("published"), why=item.text("why"),
            sessions=tuple(item.text_list("sessions")), relation=relation,
            found_in=tuple(item.text_list("found_in", required=False)),
            mention=item.text("mention", required=False)))
        if relation == "background" and (works[-1].found_in or works[-1].mention):
            item.fail("relation", "background reading is named in neither text: give no "
                      "found_in or mention")
        if relation != "background" and not (works[-1].found_in and works[-1].mention):
            item.fail("mention", f"a {relation} work needs found_in (text ids) and mention")
        item.finish()
    node.finish()
    return works


def _roles(node: Node | None) -> tuple[tuple[Role, ...], tuple[RoleTask, ...]]:
    if node is None:
        return (), ()
    roles = []
    for item in node.children("roles"):
        roles.append(Role(id=_id(item), name=item.text("name"), task=item.text("task")))
        item.finish()
    tasks = []
    for item in node.children("sessions"):
        session = item.text("session")
        tasks_node = item.child("tasks")
        assert tasks_node is not None
        for role in tasks_node.names():
            tasks.append(RoleTask(role=role, session=session, task=tasks_node.text(role)))
        tasks_node.finish()
        item.finish()
    node.finish()
    return tuple(roles), tuple(tasks)


def _exclusions(node: Node | None) -> list[Exclusion]:
    if node is None:
        return []
    result = []
    for item in node.children("excluded"):
        result.append(Exclusion(term=item.text("term"), reason=item.text("reason")))
        item.finish()
    node.finish()
    return result


def check_companion_references(syllabus: Syllabus, shown: Callable[[str], str]) -> None:
    """Every section, session and role the files name exists; ids are unique."""
    companion = syllabus.companion
    sessions = {s.id for s in syllabus.plan.sessions}
    role_ids = {r.id for r in companion.roles}
    seen: set[str] = set()
    for event in companion.timeline:
        _unique(seen, event.id, shown(TIMELINE), f"events.{event.id}")
        for section in event.sections:
            if not syllabus.has_section(section):
                raise YamlError(shown(TIMELINE), f"events.{event.id}.sections",
                                f"unknown section id {section!r}")
    text_ids = {t.id for t in syllabus.texts}
    seen = set()
    for work in companion.works:
        _unique(seen, work.id, shown(READING), f"works.{work.id}")
        for session in work.sessions:
            if session not in sessions:
                raise YamlError(shown(READING), f"works.{work.id}.sessions",
                                f"unknown session id {session!r}")
        for text_id in work.found_in:
            if text_id not in text_ids:
                raise YamlError(shown(READING), f"works.{work.id}.found_in",
                                f"unknown text id {text_id!r}")
    for task in companion.tasks:
        if task.session not in sessions:
            raise YamlError(shown(ROLES), "sessions", f"unknown session id {task.session!r}")
        if task.role not in role_ids:
            raise YamlError(shown(ROLES), f"sessions.{task.session}.tasks",
                            f"unknown role {task.role!r}")


def _unique(seen: set[str], item_id: str, file: str, key: str) -> None:
    if item_id in seen:
        raise YamlError(file, key, "duplicate id")
    seen.add(item_id)
