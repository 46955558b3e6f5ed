"""content/ and prompts/ YAML → a Syllabus, with every error naming the file, entry and key."""

from __future__ import annotations

import re
from pathlib import Path

from seminarbot.config.yamlfile import Node, YamlError, load_yaml
from seminarbot.domain.syllabus import (
    GLOSSARY_CATEGORIES,
    PROMPT_KINDS,
    PROMPT_MODES,
    GlossaryEntry,
    Locator,
    Plan,
    Prompt,
    Reference,
    Section,
    Session,
    Syllabus,
    TextMap,
)
from seminarbot.syllabus.companion_files import (
    check_companion_references,
    entry_place,
    load_companion,
    origin,
)
from seminarbot.syllabus.roots import ContentRoots as ContentRoots  # re-exported

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
TEXT_KINDS = ("journal-article", "blog-essay", "book-chapter", "book")


def _identifier(node: Node, name: str) -> str:
    value: str = node.text(name)
    if not _ID.fullmatch(value):
        node.fail(name, f"expected a lowercase kebab-case id such as 'pr-intro', got {value!r}")
    return value


def _shown(path: Path, roots: ContentRoots) -> str:
    for base in (roots.content.parent, roots.prompts.parent):
        try:
            return str(path.relative_to(base))
        except ValueError:
            continue
    return str(path)


def load_text(path: Path, shown: str) -> TextMap:
    node = Node(load_yaml(path, shown=shown), shown)
    text_id = _identifier(node, "id")
    kind = node.text("kind")
    if kind not in TEXT_KINDS:
        node.fail("kind", f"expected one of {', '.join(TEXT_KINDS)}, got {kind!r}")
    sections = []
    for item in node.children("sections"):
        locator_node = item.child("locator")
        assert locator_node is not None
        opening = locator_node.text("opening")
        if len(opening.split()) > 8:
            locator_node.fail("opening", "expected at most 8 words (a locator, not a quotation)")
        locator = Locator(opening=opening, heading=locator_node.text("heading", required=False),
                          pages=locator_node.text("pages", required=False),
                          pages_estimated=locator_node.switch("pages_estimated", default=False))
        locator_node.finish()
        sections.append(Section(
            id=_identifier(item, "id"), text_id=text_id, title=item.text("title"),
            locator=locator, summary=item.text("summary"), terms=tuple(item.text_list("terms")),
            words=item.number("words", required=False, minimum=1, maximum=1_000_000),
        ))
        item.finish()
    if not sections:
        node.fail("sections", "expected at least one section")
    text = TextMap(
        id=text_id, title=node.text("title"), kind=kind, sections=tuple(sections),
        author=node.text("author", required=False), venue=node.text("venue", required=False),
        volume=node.text("volume", required=False), issue=node.text("issue", required=False),
        year=node.number("year", required=False, minimum=1, maximum=9999),
        pages=node.text("pages", required=False),
        publisher=node.text("publisher", required=False), note=node.text("note", required=False),
        ends_before=node.text("ends_before", required=False),
    )
    node.finish()
    return text


def load_prompts(path: Path, shown: str, session_number: int) -> tuple[str, list[Prompt]]:
    node = Node(load_yaml(path, shown=shown), shown)
    session_id = _identifier(node, "session")
    prompts = []
    for index, item in enumerate(node.children("prompts"), start=1):
        kind = item.text("kind")
        if kind not in PROMPT_KINDS:
            item.fail("kind", f"expected one of {', '.join(PROMPT_KINDS)}, got {kind!r}")
        mode = item.text("mode", required=False)
        if mode is not None and mode not in PROMPT_MODES:
            item.fail("mode", f"expected one of {', '.join(PROMPT_MODES)}, got {mode!r}")
        prompts.append(Prompt(
            id=_identifier(item, "id"), session_id=session_id, ref=f"{session_number}.{index}",
            kind=kind, text=item.text("text"), sections=tuple(item.text_list("sections")),
            follow_ups=tuple(item.text_list("follow_ups", required=False)),
            suggested_words=item.number("suggested_words", required=False, minimum=10,
                                        maximum=100_000),
            mode=mode,
        ))
        item.finish()
    node.finish()
    return session_id, prompts


def load_plan(path: Path, shown: str, prompts_dir: Path, roots: ContentRoots) -> Plan:
    node = Node(load_yaml(path, shown=shown), shown)
    sessions = []
    for number, item in enumerate(node.children("sessions"), start=1):
        session_id = _identifier(item, "id")
        prompt_file = prompts_dir / f"{session_id}.yaml"
        if not prompt_file.exists():  # a session that would post nothing, and say so nowhere
            raise YamlError(shown, f"sessions.{session_id}",
                            f"has no prompts file ({_shown(prompt_file, roots)} is missing)")
        declared, prompts = load_prompts(prompt_file, _shown(prompt_file, roots), number)
        if declared != session_id:
            raise YamlError(_shown(prompt_file, roots), "session",
                            f"expected {session_id!r} (the file's name), got {declared!r}")
        if not prompts:
            raise YamlError(_shown(prompt_file, roots), "prompts",
                            "expected at least one prompt: the session would post nothing")
        sessions.append(Session(
            id=session_id, number=number, title=item.text("title"),
            sections=tuple(item.text_list("sections")), framing=item.text("framing"),
            prompts=tuple(prompts),
        ))
        item.finish()
    if not sessions:
        node.fail("sessions", "expected at least one session")
    plan = Plan(id=_identifier(node, "id"), title=node.text("title"),
                description=node.text("description", required=False, default=""),
                sessions=tuple(sessions))
    node.finish()
    return plan


def load_glossary(path: Path, shown: str) -> list[GlossaryEntry]:
    node = Node(load_yaml(path, shown=shown), shown)
    entries = []
    for item in node.children("entries"):
        category = item.text("category")
        if category not in GLOSSARY_CATEGORIES:
            item.fail("category", f"expected one of {', '.join(GLOSSARY_CATEGORIES)}, "
                      f"got {category!r}")
        if category == "person" and (path.parent / "people.yaml").exists():
            item.fail("category", "people belong in people.yaml")
        entries.append(GlossaryEntry(
            id=_identifier(item, "id"), term=item.text("term"), category=category,
            definition=item.text("definition"), sections=tuple(item.text_list("sections")),
            aliases=tuple(item.text_list("aliases", required=False)),
            related=tuple(item.text_list("related", required=False)),
            original=item.text("original", required=False), origin=origin(item),
        ))
        item.finish()
    node.finish()
    return entries



def load_syllabus(roots: ContentRoots | None = None) -> Syllabus:
    """Load everything and check that every reference resolves; raise YamlError otherwise."""
    roots = roots or ContentRoots.default()
    texts, plan = _texts_and_plan(roots)
    glossary_path = roots.content / "glossary.yaml"
    glossary = load_glossary(glossary_path, _shown(glossary_path, roots))
    people, companion = load_companion(roots.content, lambda path: _shown(path, roots))
    syllabus = Syllabus(texts=tuple(texts), plan=plan,
                        reference=Reference(glossary=(*glossary, *people), companion=companion))
    _check_references(syllabus, roots)
    check_companion_references(syllabus, lambda path: _shown(roots.content / path, roots))
    return syllabus


def load_plan_and_texts(roots: ContentRoots | None = None) -> Syllabus:
    """The texts and the plan, without the glossary and the companion: all an export names
    (sessions, prompts, section labels), for `seminarbot export`'s start-up. Raises YamlError
    for these files as `load_syllabus` does; references are not checked."""
    texts, plan = _texts_and_plan(roots or ContentRoots.default())
    return Syllabus(texts=tuple(texts), plan=plan)


def _texts_and_plan(roots: ContentRoots) -> tuple[list[TextMap], Plan]:
    for folder, key in ((roots.content, "content_dir"), (roots.prompts, "prompts_dir")):
        if not folder.is_dir():  # a mistyped folder: a plan whose sessions have no prompts
            what = "is not a folder" if folder.exists() else "there is no such folder"
            raise YamlError(str(folder), "", f"{what} (check {key})")
    text_files = sorted((roots.content / "texts").glob("*.yaml"))
    if not text_files:
        raise YamlError(str(roots.content / "texts"), "", "no text maps (*.yaml) found")
    texts = [load_text(path, _shown(path, roots)) for path in text_files]
    plan_path = roots.content / "plan.yaml"
    return texts, load_plan(plan_path, _shown(plan_path, roots), roots.prompts, roots)


def _check_references(syllabus: Syllabus, roots: ContentRoots) -> None:
    texts_dir = roots.content / "texts"
    seen: dict[str, str] = {}
    entry_ids = {e.id for e in syllabus.glossary}
    for text in syllabus.texts:
        file = _shown(texts_dir / f"{text.id}.yaml", roots)
        for section in text.sections:
            if section.id in seen:
                raise YamlError(file, f"sections.{section.id}",
                                f"duplicate section id (also in {seen[section.id]})")
            seen[section.id] = text.id
            for term in section.terms:
                if term not in entry_ids:
                    raise YamlError(file, f"sections.{section.id}.terms",
                                    f"unknown glossary entry {term!r}")
    plan_file = _shown(roots.content / "plan.yaml", roots)
    prompt_ids: set[str] = set()
    for session in syllabus.plan.sessions:
        for section_id in session.sections:
            if not syllabus.has_section(section_id):
                raise YamlError(plan_file, f"sessions.{session.id}.sections",
                                f"unknown section id {section_id!r}")
        prompt_file = _shown(roots.prompts / f"{session.id}.yaml", roots)
        for prompt in session.prompts:
            if prompt.id in prompt_ids:
                raise YamlError(prompt_file, f"prompts.{prompt.id}", "duplicate prompt id")
            prompt_ids.add(prompt.id)
            for section_id in prompt.sections:
                if not syllabus.has_section(section_id):
                    raise YamlError(prompt_file, f"prompts.{prompt.id}.sections",
                                    f"unknown section id {section_id!r}")
    ids: set[str] = set()
    for entry in syllabus.glossary:
        path, key = entry_place(roots.content, entry)
        file = _shown(path, roots)
        if entry.id in ids:
            raise YamlError(file, key, "duplicate entry id")
        ids.add(entry.id)
        for section_id in entry.sections:
            if not syllabus.has_section(section_id):
                raise YamlError(file, f"{key}.sections", f"unknown section id {section_id!r}")
        for related in entry.related:
            if related not in entry_ids:
                raise YamlError(file, f"{key}.related", f"unknown glossary entry {related!r}")
