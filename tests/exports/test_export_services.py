"""`seminarbot export` opens only what an export reaches (cli/export_services.py): what it
leaves out (the glossary, the companion, the scheduler, the other features' commands) changes
no byte of any export, nor how the options are read."""

from datetime import date
from typing import Any

from seminarbot.cli.export_services import ExportContext, open_export_services
from seminarbot.clock import ManualClock
from seminarbot.core.invocation import Actor
from seminarbot.domain.exports import FORMATS
from seminarbot.features.exports import build_request
from seminarbot.services.container import Services
from seminarbot.services.exporting import export_cohort
from seminarbot.syllabus.loader import load_plan_and_texts, load_syllabus
from seminarbot.syllabus.roots import ContentRoots
from tests.conftest import MINI, ConsoleDriver
from tests.discussion import seed

ACTOR = Actor("cli", "operator", "operator", is_moderator=True)


async def _export(app: Services | ExportContext, cohort_id: int, form: str,
                  **scope: Any) -> bytes:
    cohort = await app.cohorts.get(cohort_id)
    request = await build_request(app, cohort, form, **scope)
    chunks: list[bytes] = []
    await export_cohort(app, cohort, request, chunks.append, ACTOR)
    return b"".join(chunks)


async def test_an_export_through_the_lean_services_is_the_same_file(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    await seed(console, app, clock)
    lean = await open_export_services(app.settings, clock)
    try:
        scopes: list[dict[str, Any]] = [
            {}, {"session": "1"}, {"participant": "bob"},
            {"since": date(2026, 1, 6), "until": date(2026, 1, 6)}]
        for form in FORMATS:
            for scope in scopes:
                whole = await _export(app, 1, form, **scope)
                assert whole.count(b"[#") >= 1 or scope
                assert await _export(lean, 1, form, **scope) == whole, (form, scope)
        declared = app.registry.get("seminar export")
        assert lean.declared().params == declared.params
    finally:
        await lean.close()
    audited = await app.db.fetchall("SELECT outcome FROM audit_log WHERE action = 'export'")
    assert len(audited) == 2 * len(FORMATS) * len(scopes)
    assert {row[0] for row in audited} == {"ok"}


def test_the_plan_and_texts_alone_name_sessions_prompts_and_sections_alike() -> None:
    for roots in (MINI, ContentRoots.default()):
        whole, lean = load_syllabus(roots), load_plan_and_texts(roots)
        assert lean.plan == whole.plan and lean.texts == whole.texts
        sections = {s for session in whole.plan.sessions for prompt in session.prompts
                    for s in (*prompt.sections, *session.sections)}
        assert sections
        for section in sections:
            assert lean.section_label(section) == whole.section_label(section)
