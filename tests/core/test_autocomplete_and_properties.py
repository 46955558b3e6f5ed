"""Autocomplete sources, and properties of the parser that must hold for any input."""

from hypothesis import given, settings
from hypothesis import strategies as st

from seminarbot.core.invocation import Place
from seminarbot.core.parsing import bind, parse_line
from seminarbot.domain.errors import UserError
from seminarbot.features.common import complete_prompt, complete_session
from seminarbot.features.glossary import complete_term
from seminarbot.services.container import Services

PLACE = Place("console", "local", "console")


async def test_autocomplete_sources(app: Services) -> None:
    sessions = await complete_session(app, PLACE, "")
    assert [s.value for s in sessions] == ["1", "2"]
    assert [s.label for s in await complete_session(app, PLACE, "lat")] == ["2. Later years"]
    prompts = await complete_prompt(app, PLACE, "2.")
    assert [p.value for p in prompts] == ["2.1", "2.2", "2.3"]
    assert all(len(p.label) <= 100 for p in await complete_prompt(app, PLACE, ""))
    assert next(t.value for t in await complete_term(app, PLACE, "gla")) == "glasnost'"
    assert len(await complete_term(app, PLACE, "")) == 5


free_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1,
                    max_size=300).filter(lambda t: t.strip())


@settings(max_examples=300, deadline=None)
@given(text=free_text)
def test_free_text_arrives_verbatim(text: str) -> None:
    from seminarbot.core.registry import Registry
    from seminarbot.features import all_commands

    registry = Registry(all_commands())
    command, raw = parse_line(registry, f"seminar respond 1.2 {text}")
    assert command.name == "seminar respond"
    # Exactly as typed (quotes, "--" and all), the spaces around it aside.
    assert raw["text"] == text.strip()


@settings(max_examples=300, deadline=None)
@given(line=st.text(max_size=200))
def test_any_line_parses_or_fails_with_a_user_error(line: str) -> None:
    from seminarbot.core.registry import Registry
    from seminarbot.features import all_commands

    registry = Registry(all_commands())
    try:
        command, raw = parse_line(registry, line)
        bind(command, raw)
    except UserError as error:
        assert error.message  # every refusal says something
