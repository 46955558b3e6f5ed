"""The syllabus cache `run` keeps in its data directory: the same content gives the same
syllabus without parsing it again, and any change to the content is loaded afresh."""

import pickle
import stat
from pathlib import Path

import pytest

from seminarbot.config.yamlfile import YamlError
from seminarbot.domain.syllabus import Reference
from seminarbot.syllabus import cache
from seminarbot.syllabus.cache import CACHE_FILE, load_cached
from seminarbot.syllabus.loader import load_syllabus
from seminarbot.syllabus.roots import ContentRoots
from tests.syllabus.editing import copy_roots, replace_in


@pytest.fixture
def roots(tmp_path: Path) -> ContentRoots:
    return copy_roots(ContentRoots.default(), tmp_path)


def loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the loader's runs (each one parses the YAML)."""
    import seminarbot.syllabus.loader as loader

    counted: list[int] = []
    real = loader.load_syllabus

    def counting(roots: ContentRoots | None = None) -> object:
        counted.append(1)
        return real(roots)

    monkeypatch.setattr(loader, "load_syllabus", counting)
    return counted


def test_the_second_start_reads_the_cache_and_gets_the_same_syllabus(
        roots: ContentRoots, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    counted = loads(monkeypatch)
    first = load_cached(roots, data)
    second = load_cached(roots, data)
    assert first == second == load_syllabus(roots)
    assert len(counted) == 1
    assert stat.S_IMODE((data / CACHE_FILE).stat().st_mode) == 0o600


def test_the_glossary_and_companion_are_unpacked_on_first_use(
        roots: ContentRoots, tmp_path: Path) -> None:
    """A bot that only posts and records never reads them (benchmarks/discord_bench.py)."""
    data = tmp_path / "data"
    first = load_cached(roots, data)
    second = load_cached(roots, data)
    assert not isinstance(second.reference, Reference)
    section = first.texts[0].sections[0].id
    assert second.plan == first.plan
    assert second.section_label(section) == first.section_label(section) != section
    assert not isinstance(second.reference, Reference)  # the plan and texts are not enough
    assert second.glossary == first.glossary and second.companion == first.companion
    assert isinstance(second.reference, Reference)  # and kept once unpacked


def test_a_damaged_glossary_in_the_cache_is_loaded_from_the_content(
        roots: ContentRoots, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    load_cached(roots, data)
    path = data / CACHE_FILE
    head = len(cache._FORMAT) + len(cache.content_digest(roots))
    texts, plan, packed = pickle.loads(path.read_bytes()[head:])
    damaged = packed[:len(packed) // 2] + bytes([packed[len(packed) // 2] ^ 1]) + packed[
        len(packed) // 2 + 1:]
    path.write_bytes(path.read_bytes()[:head] + pickle.dumps((texts, plan, damaged)))
    counted = loads(monkeypatch)
    found = load_cached(roots, data)
    assert counted == []
    assert found.glossary == load_syllabus(roots).glossary
    assert len(counted) == 1  # the damaged part, from the content


def test_changed_content_is_loaded_afresh(roots: ContentRoots, tmp_path: Path) -> None:
    data = tmp_path / "data"
    before = load_cached(roots, data)
    replace_in(roots.content / "plan.yaml", "title: \"", "title: \"Changed ")
    after = load_cached(roots, data)
    assert after.plan.title == "Changed " + before.plan.title


def test_broken_content_is_refused_even_with_a_cache_of_the_old(
        roots: ContentRoots, tmp_path: Path) -> None:
    data = tmp_path / "data"
    load_cached(roots, data)
    replace_in(roots.content / "glossary.yaml", "category: concept", "category: vibe")
    with pytest.raises(YamlError, match="category: expected one of"):
        load_cached(roots, data)


def test_changed_code_is_loaded_afresh(roots: ContentRoots, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    load_cached(roots, data)
    monkeypatch.setattr(cache, "_FORMAT", b"seminarbot syllabus cache 0\n")  # as a new version
    counted = loads(monkeypatch)
    load_cached(roots, data)
    assert len(counted) == 1


@pytest.mark.parametrize("damage", [b"", b"garbage", None])
def test_a_damaged_cache_is_replaced(roots: ContentRoots, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch, damage: bytes | None) -> None:
    data = tmp_path / "data"
    load_cached(roots, data)
    path = data / CACHE_FILE
    kept = path.read_bytes()
    path.write_bytes(kept[:len(kept) // 2] if damage is None else damage)
    counted = loads(monkeypatch)
    assert load_cached(roots, data) == load_syllabus(roots)
    assert load_cached(roots, data) == load_syllabus(roots)
    assert len(counted) == 1  # loaded once, then read from the cache written anew


def test_a_data_directory_it_cannot_write_still_loads(roots: ContentRoots, tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert load_cached(roots, blocked / "data") == load_syllabus(roots)
