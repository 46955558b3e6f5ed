"""The syllabus cache `run` keeps in its data directory: the same content gives the same
syllabus without parsing it again, and any change to the content is loaded afresh."""

import os
import random
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from seminarbot.config.data_folder import SYLLABUS_CACHE as CACHE_FILE
from seminarbot.config.yamlfile import YamlError
from seminarbot.domain.syllabus import Reference, Syllabus
from seminarbot.syllabus import cache
from seminarbot.syllabus.cache import load_cached
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


def test_a_start_loads_before_the_data_folder_is_made_and_stores_once_it_is_locked(
        roots: ContentRoots, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """cli.run.preload (`unstored`) runs before cli.main makes and locks the data folder:
    content the loader refuses then leaves nothing behind. `store` keeps it once locked."""
    data = tmp_path / "data"
    counted = loads(monkeypatch)
    loaded = cache.unstored(roots, data)
    assert not data.exists() and loaded.key is not None
    cache.store(loaded, data)
    again = cache.unstored(roots, data)
    assert again.key is None and again.syllabus == loaded.syllabus  # from the cache
    cache.store(again, data)  # nothing to store: the file is left as it is
    assert len(counted) == 1


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
    assert hash(second) == hash(first)
    assert not isinstance(second.reference, Reference)  # the plan and texts are not enough
    assert second.glossary == first.glossary and second.companion == first.companion
    assert isinstance(second.reference, Reference)  # and kept once unpacked


def test_a_flipped_bit_anywhere_in_the_cache_is_never_read(
        roots: ContentRoots, tmp_path: Path) -> None:
    """A damaged disk: whatever bit changed (in the plan, in the compressed glossary, in the
    checksum), the file is not used, so no start reads a wrong plan or glossary."""
    data = tmp_path / "data"
    load_cached(roots, data)
    path = data / CACHE_FILE
    kept = path.read_bytes()
    key = cache.content_digest(roots)
    assert cache._read(path, key) is not None
    for position in random.Random(19).sample(range(len(kept)), 400):
        damaged = bytearray(kept)
        damaged[position] ^= 1 << (position % 8)
        path.write_bytes(damaged)
        assert cache._read(path, key) is None, position


def test_a_damaged_cache_is_loaded_afresh_once_and_replaced(
        roots: ContentRoots, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    load_cached(roots, data)
    path = data / CACHE_FILE
    kept = bytearray(path.read_bytes())
    kept[-100] ^= 4  # inside the compressed glossary
    path.write_bytes(kept)
    counted = loads(monkeypatch)
    assert load_cached(roots, data).glossary == load_syllabus(roots).glossary
    assert load_cached(roots, data) == load_syllabus(roots)
    assert len(counted) == 1


def test_a_fifo_at_the_cache_path_does_not_hold_up_the_start(
        roots: ContentRoots, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    os.mkfifo(data / CACHE_FILE)
    found: list[object] = []
    reader = threading.Thread(target=lambda: found.append(load_cached(roots, data)), daemon=True)
    reader.start()
    reader.join(timeout=20)
    assert found == [load_syllabus(roots)]  # read from the content, the FIFO replaced
    assert (data / CACHE_FILE).is_file()


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


def in_time(work: Callable[[], object]) -> object:
    """What `work` gives or raises, failing the test if it is still running after 20 s."""
    found: list[object] = []

    def run() -> None:
        try:
            found.append(work())
        except Exception as error:  # handed back to the test
            found.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert found, "still running after 20 s"
    return found[0]


@pytest.mark.parametrize("name", ["glossary.yaml", "notes.yaml"])
def test_a_fifo_among_the_content_does_not_hold_up_the_start(
        roots: ContentRoots, tmp_path: Path, name: str) -> None:
    """One the loader reads is refused with its one line; one it never reads is ignored."""
    (roots.content / name).unlink(missing_ok=True)
    os.mkfifo(roots.content / name)
    found = in_time(lambda: load_cached(roots, tmp_path / "data"))
    if name == "glossary.yaml":
        assert isinstance(found, YamlError) and "not a regular file" in str(found)
    else:
        assert isinstance(found, Syllabus) and found.glossary


def test_a_text_in_a_linked_folder_is_part_of_the_key(roots: ContentRoots,
                                                      tmp_path: Path) -> None:
    data = tmp_path / "data"
    (roots.content / "texts").rename(tmp_path / "texts-elsewhere")
    (roots.content / "texts").symlink_to(tmp_path / "texts-elsewhere")
    before = load_cached(roots, data)
    first = sorted((tmp_path / "texts-elsewhere").glob("*.yaml"))[0]
    replace_in(first, "title: ", "title: Changed ")
    after = load_cached(roots, data)
    assert after == load_syllabus(roots) != before


def test_content_changed_while_it_loads_is_not_stored(
        roots: ContentRoots, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A deploy during a restart: what loaded is not kept under the old files' key (else going
    back to them would start with the new content)."""
    import seminarbot.syllabus.loader as loader

    data = tmp_path / "data"
    real = loader.load_syllabus
    plan = roots.content / "plan.yaml"
    old = plan.read_bytes()

    def editing(roots: ContentRoots | None = None) -> Syllabus:
        replace_in(plan, "title: \"", "title: \"Changed ")
        return real(roots)

    monkeypatch.setattr(loader, "load_syllabus", editing)
    assert load_cached(roots, data).plan.title.startswith("Changed ")
    monkeypatch.setattr(loader, "load_syllabus", real)
    plan.write_bytes(old)  # rolled back
    assert load_cached(roots, data) == load_syllabus(roots)
    assert not load_cached(roots, data).plan.title.startswith("Changed ")


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
