"""The syllabus as `run` last loaded it, kept in the data directory so a start-up with the same
content and the same code does not parse and check the YAML again.

Parsing and checking content/ and prompts/ was the largest piece of start-up work (about a
tenth of a second and 3 MB of memory left behind by the parser: benchmarks/matrix_bench.py);
unpickling the result takes a millisecond. The cache is keyed by a digest of every YAML file
the loader can read (their paths and bytes), of the roots, and of the source of the modules
that define and check the result (syllabus/, domain/, config/), so any change to either is
loaded afresh. Only a syllabus that loaded without error is stored; a cache that cannot be
read or written, or whose bytes do not match the SHA-256 stored with them (a damaged disk), is
ignored (one debug line), and replaced. The file is the bot's own (written with mode 0600 into
its private data directory), so unpickling it trusts nothing another user wrote; it is read
only if it is a regular file (config/files.py), so a FIFO put there never holds up a start.

The glossary and the companion (domain/syllabus.py `Reference`, four fifths of the syllabus's
memory) are kept compressed and unpickled on first use: a bot that only posts prompts and
records responses never reads them (benchmarks/discord_bench.py, memory when ready). They are
checked with the rest at start-up, so their first use cannot find them damaged.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import pickle
import sys
import zlib
from pathlib import Path
from typing import NamedTuple

from seminarbot.config.data_folder import SYLLABUS_CACHE
from seminarbot.config.files import read_regular, replace_private
from seminarbot.config.yamlfile import MAX_BYTES as YAML_MAX_BYTES
from seminarbot.domain.syllabus import Plan, Reference, Syllabus
from seminarbot.syllabus.roots import ContentRoots

log = logging.getLogger(__name__)
_FORMAT = b"seminarbot syllabus cache 3\n"
MAX_BYTES = 16_000_000  # the shipped content's is about 85 kB
_CHECKSUM = 32  # bytes of SHA-256
# The modules whose code decides what a load gives: the loader and its checks, the types of
# the result, the YAML reading.
_CODE_FOLDERS = ("syllabus", "domain", "config")


class Loaded(NamedTuple):
    syllabus: Syllabus
    # The digest to store it under (`store`); None when it came from the cache, or when a file
    # changed while it loaded (a deploy during a restart: it may be either version).
    key: bytes | None


def load_cached(roots: ContentRoots, folder: Path) -> Syllabus:
    """`unstored`, then `store`d in `folder`."""
    loaded = unstored(roots, folder)
    store(loaded, folder)
    return loaded.syllabus


def unstored(roots: ContentRoots, folder: Path) -> Loaded:
    """The syllabus of `roots`: from `folder`'s cache when it was made from the same files by
    the same code, else loaded (syllabus.loader, raising its YamlError). Writes nothing, so it
    may run before the data directory is made or locked."""
    key = content_digest(roots)
    found = _read(folder / SYLLABUS_CACHE, key)
    if found is not None:
        return Loaded(found, None)
    from seminarbot.syllabus.loader import load_syllabus  # only when the cache cannot serve

    syllabus = load_syllabus(roots)
    return Loaded(syllabus, key if content_digest(roots) == key else None)


def store(loaded: Loaded, folder: Path) -> None:
    """Keep a syllabus loaded afresh in `folder`'s cache (by the one process that owns the
    folder: `run`, which locks it)."""
    if loaded.key is not None:
        _write(folder / SYLLABUS_CACHE, loaded.key, loaded.syllabus)


def content_digest(roots: ContentRoots) -> bytes:
    """SHA-256 of the format, the Python version, the code and each YAML file where the loader
    can look for one (each root's own and those one folder down, through symbolic links: path
    and bytes), in a fixed order."""
    digest = hashlib.sha256(_FORMAT + sys.version.encode())
    package = Path(__file__).resolve().parent.parent
    for folder in _CODE_FOLDERS:
        _add_files(digest, package / folder, "*.py")
    for root in (roots.content, roots.prompts):
        digest.update(f"\0root {root}\0".encode())
        _add_files(digest, root, "*.yaml")
        _add_files(digest, root, "*/*.yaml")  # `**` would not follow a linked folder
    return digest.digest()


def _add_files(digest: hashlib._Hash, root: Path, pattern: str) -> None:
    for path in sorted(root.glob(pattern)):
        digest.update(f"\0{path.relative_to(root)}\0".encode())
        try:  # a FIFO or a device is not read: the loader says what is wrong with it
            digest.update(read_regular(path, YAML_MAX_BYTES))
        except OSError as error:
            digest.update(f"\0unreadable {error.errno} {error.strerror}".encode())


def _read(path: Path, key: bytes) -> Syllabus | None:
    """The cached syllabus if `path` holds one for `key` whose bytes are whole, else None.
    Layout: format line, key, SHA-256 of the payload, payload (the pickled texts, plan and
    compressed Reference)."""
    try:
        data = read_regular(path, MAX_BYTES)
    except OSError:
        return None
    head = len(_FORMAT) + len(key)
    if not data.startswith(_FORMAT + key):
        return None
    checksum, payload = data[head:head + _CHECKSUM], data[head + _CHECKSUM:]
    if hashlib.sha256(payload).digest() != checksum:
        log.debug("syllabus cache %s damaged; loading the content", path)
        return None
    try:
        texts, plan, reference = pickle.loads(payload)
        if isinstance(texts, tuple) and isinstance(plan, Plan) and isinstance(reference, bytes):
            return Syllabus(texts=texts, plan=plan,
                            reference=functools.partial(_unpack, reference))
    except Exception as error:  # written by other code than this, despite the key
        log.debug("syllabus cache %s unreadable (%s); loading the content", path, error)
    return None


def _unpack(packed: bytes) -> Reference:
    found = pickle.loads(zlib.decompress(packed))
    assert isinstance(found, Reference), type(found)  # checked whole at start-up (_read)
    return found


def _write(path: Path, key: bytes, syllabus: Syllabus) -> None:
    reference = zlib.compress(pickle.dumps(syllabus.loaded(), pickle.HIGHEST_PROTOCOL))
    payload = pickle.dumps((syllabus.texts, syllabus.plan, reference), pickle.HIGHEST_PROTOCOL)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # whole or not at all, whoever reads it meanwhile
        replace_private(path, _FORMAT + key + hashlib.sha256(payload).digest() + payload)
    except OSError as error:
        log.debug("syllabus cache %s not written (%s)", path, error)
