"""Who this process is, for messages about files it may not write: the uid and gid, the fix
(`chown`, or `chmod` for a file that is this user's already), and whether the folder is on a
read-only mount (where neither helps)."""

from __future__ import annotations

import errno
import os
from pathlib import Path


def this_user() -> str:
    return f"uid {os.getuid()}, gid {os.getgid()}"


def read_only_mount(path: Path) -> bool:
    """Whether `path` (or the nearest folder above it that exists) is on a read-only mount."""
    while not path.exists() and path.parent != path:
        path = path.parent
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def permission_fix(path: Path, error: OSError | None = None) -> str:
    """What to do when this user may not write `path`, in a clause: for a read-only mount,
    say so (chown cannot help); otherwise give it to this user."""
    if read_only_mount(path) or (error is not None and error.errno == errno.EROFS):
        return f"{path} is on a read-only mount: mount it read-write"
    try:
        mine = path.stat().st_uid == os.getuid()
    except OSError:
        mine = False
    if mine:  # its mode keeps its own owner out: chown would change nothing
        return (f"it is this user's ({this_user()}) but its mode does not let it write there: "
                f"`chmod u+rw {path}` (u+rwx for a folder)")
    return (f"give it to this user, {this_user()} (`chown {os.getuid()}:{os.getgid()} "
            f"{path}`; for a folder mounted from the host, on the host's side)")
