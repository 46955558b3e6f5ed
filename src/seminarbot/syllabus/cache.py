"""The syllabus as `run` last loaded it, kept in the data directory so a start-up with the same
content and the same code does not parse and check the YAML again.

Parsing and checking content/ and prompts/ was the largest piece of start-up work (about a
tenth of a second and 3 MB of memory left behind by the parser: benchmarks/matrix_bench.py);
unpickling the result takes a millisecond. The cache is keyed by a digest of every YAML file
the loader can read (their paths and bytes), of the roots, and of the source of the modules
that define and check the result (syllabus/, domain/, config/), so any change to either is
loaded afresh. Only a syllabus that loaded without error is stored; a cache that cannot be
read or written is ignored (one debug line). The file is the bot's own (written with mode
0600 into its private data directory), so unpickling it trusts nothing another user wrote.

The glossary and the companion (domain/syllabus.py `Reference`, four fifths of the syllabus's
memory) are kept compressed and unpickled on first use: a bot that only posts prompts and
records responses never reads them (benchmarks/discord_bench.py, memory when ready). Should
that part turn out damaged, it is loaded from the content instead.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import pickle
import sys
import zlib
from pathlib import Path

from seminarbot.domain.syllabus import Plan, Reference, Syllabus
from seminarbot.syllabus.roots import ContentRoots

log = logging.getLogger(__name__)
CACHE_FILE = "syllabus.cache"
_FORMAT = b"seminarbot syllabus cache 2\n"
# The modules whose code decides what a load gives: the loader and its checks, the types of
# the result, the YAML reading.
_CODE_FOLDERS = ("syllabus", "domain", "config")


def load_cached(roots: ContentRoots, folder: Path) -> Syllabus:
    """The syllabus of `roots`: from `folder`'s cache when it was made from the same files by
    the same code, else loaded (syllabus.loader, raising its YamlError) and stored there."""
    key = content_digest(roots)
    path = folder / CACHE_FILE
    found = _read(path, key, roots)
    if found is not None:
        return found
    from seminarbot.syllabus.loader import load_syllabus  # only when the cache cannot serve

    syllabus = load_syllabus(roots)
    _write(path, key, syllabus)
    return syllabus


def content_digest(roots: ContentRoots) -> bytes:
    """SHA-256 of the format, the Python version, the code and every YAML file under the roots
    (path and bytes), in a fixed order."""
    digest = hashlib.sha256(_FORMAT + sys.version.encode())
    package = Path(__file__).resolve().parent.parent
    for folder in _CODE_FOLDERS:
        _add_files(digest, package / folder, "*.py")
    for root in (roots.content, roots.prompts):
        digest.update(f"\0root {root}\0".encode())
        _add_files(digest, root, "**/*.yaml")
    return digest.digest()


def _add_files(digest: hashlib._Hash, root: Path, pattern: str) -> None:
    for path in sorted(root.glob(pattern)):
        digest.update(f"\0{path.relative_to(root)}\0".encode())
        try:
            digest.update(path.read_bytes())
        except OSError as error:  # the loader will say what is wrong with it
            digest.update(f"\0unreadable {error.errno}".encode())


def _read(path: Path, key: bytes, roots: ContentRoots) -> Syllabus | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(_FORMAT + key):
        return None
    try:
        texts, plan, reference = pickle.loads(data[len(_FORMAT) + len(key):])
    except Exception as error:  # a damaged file: load afresh and replace it
        log.debug("syllabus cache %s unreadable (%s); loading the content", path, error)
        return None
    if not (isinstance(texts, tuple) and isinstance(plan, Plan) and isinstance(reference, bytes)):
        return None
    return Syllabus(texts=texts, plan=plan,
                    reference=functools.partial(_reference, reference, path, roots))


def _reference(packed: bytes, path: Path, roots: ContentRoots) -> Reference:
    try:
        found = pickle.loads(zlib.decompress(packed))
        if isinstance(found, Reference):
            return found
    except Exception as error:  # zlib's checksum found it damaged
        log.debug("syllabus cache %s: glossary unreadable (%s); loading the content", path, error)
    from seminarbot.syllabus.loader import load_syllabus

    return load_syllabus(roots).loaded()


def _write(path: Path, key: bytes, syllabus: Syllabus) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    reference = zlib.compress(pickle.dumps(syllabus.loaded(), pickle.HIGHEST_PROTOCOL))
    stored = (syllabus.texts, syllabus.plan, reference)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(_FORMAT + key + pickle.dumps(stored, pickle.HIGHEST_PROTOCOL))
        os.replace(partial, path)  # whole or not at all, whoever reads it meanwhile
    except OSError as error:
        log.debug("syllabus cache %s not written (%s)", path, error)
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
