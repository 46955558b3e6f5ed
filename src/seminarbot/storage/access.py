"""Who this process is, for messages about files it may not write: the uid and gid, the fix
(`chown`; `chmod` or `chattr -i` for a file that is this user's already), and whether the
folder is on a read-only mount (where none helps)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


def this_user() -> str:
    return f"uid {os.getuid()}, gid {os.getgid()}"


def read_only_mount(path: Path) -> bool:
    """Whether `path` (or the nearest folder above it that exists) is on a read-only mount."""
    found = _mount_of(path)
    return found is not None and bool(found.f_flag & os.ST_RDONLY)


def free_bytes(path: Path) -> int | None:
    """Bytes this user may still write on the file system of `path` (or of the nearest folder
    above it it can reach), or None when no folder of it can be asked."""
    found = _mount_of(path)
    return None if found is None else found.f_bavail * found.f_frsize


def file_size_limit() -> int | None:
    """The largest file, in bytes, this process may write (setrlimit(2) RLIMIT_FSIZE, `ulimit
    -f`), or None when it has no such limit."""
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    return None if soft == resource.RLIM_INFINITY else soft


def holds_no_files(path: Path) -> bool:
    """Whether `path` (or the nearest folder above it that exists) is on a file system with
    no blocks to store anything in (statvfs(3) f_blocks 0): the kernel's own views, such as
    /proc, /sys and /dev/pts, where no mode or owner lets a program make a file."""
    found = _mount_of(path)
    return found is not None and found.f_blocks == 0


def _mount_of(path: Path) -> os.statvfs_result | None:
    """The file system of `path`, or of the nearest folder above it that this user can reach
    (a folder closed to it, a name too long: os.statvfs fails on those too)."""
    while True:
        try:
            return os.statvfs(path)
        except OSError:
            if path.parent == path:
                return None
            path = path.parent


def in_the_way(path: Path) -> str | None:
    """What stops `path` from being reached as a folder, or a file in one, in a clause: the
    first part of it that is no folder (`/x/y is a FIFO (named pipe)`), or a symbolic link
    that leads nowhere or in a loop; None when nothing does."""
    for part in (*reversed(path.parents), path):
        try:
            mode = os.stat(part).st_mode
        except OSError as error:
            if os.path.lexists(part):  # the link itself is there, what it leads to is not
                how = "in a loop" if error.errno == errno.ELOOP else "nowhere"
                return f"{part} is a symbolic link that leads {how}"
            return None
        if not stat.S_ISDIR(mode) and part != path:
            return f"{part} is {kind_of(mode)}, not a folder"
    return None


def os_reason(error: OSError, path: Path) -> str:
    """Why `path` could not be used, in a clause: for a path that runs into something that is
    no folder, or into a symbolic link that leads nowhere or in a loop, that part named
    (`in_the_way`; the C library's words, "Not a directory" or "Too many levels of symbolic
    links", name neither); else the C library's words for `error`."""
    if error.errno in (errno.ENOTDIR, errno.ELOOP):
        return in_the_way(path) or "a part of the path is a file, not a folder"
    return error.strerror or str(error)


def kind_of(mode: int) -> str:
    """`a FIFO (named pipe)`, `a device`, … for a message."""
    for test, name in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"),
                       (stat.S_ISREG, "a file")):
        if test(mode):
            return name
    return "not a regular file"


def permission_fix(path: Path, error: OSError | None = None, *, folder: bool = False) -> str:
    """What to do when this user may not write `path` (a file or folder), in a clause: for a
    read-only mount or one that holds no files (holds_no_files), say so; for a folder still
    to make, where (helper-183's 2, 3: the chown of `/` was offered); for one of this user's
    whose mode closes it to its owner, the chmod; for one of this user's whose mode is open,
    the immutable attribute (chattr(1)), which stops even root; otherwise the chown. `folder`:
    `path` is a folder to use (else a file). A relative `path` is said from `/` (in a
    container, the working folder is no folder of the host's)."""
    path = Path(os.path.abspath(path))
    if holds_no_files(path):
        return (f"{path} is on a file system of the kernel's (such as /proc or /sys) that "
                "holds no files, whatever its mode: choose a folder on a disk")
    if read_only_mount(path) or (error is not None and error.errno == errno.EROFS):
        return f"{path} is on a read-only mount: mount it read-write"
    try:
        status = path.stat()
    except OSError:
        status = None
    if status is not None and status.st_uid == os.getuid():  # chown would change nothing
        folder = stat.S_ISDIR(status.st_mode)
        needed = stat.S_IWUSR | (stat.S_IXUSR if folder else 0)
        if status.st_mode & needed != needed:
            return (f"it is this user's ({this_user()}) but its mode does not let it write "
                    f"there: `chmod {'u+rwx' if folder else 'u+rw'} {path}`")
        return (f"it is this user's ({this_user()}) and its mode lets it write: it may be "
                f"immutable (`lsattr -d {path}`; `chattr -i {path}` as root)")
    closed = _closed_folder(path) if status is None else None
    if closed is not None:  # not reached: the folder closed to this user is what to open
        return permission_fix(closed)
    missing = None if status is not None else next(
        part for part in (*reversed(path.parents), path) if not os.path.exists(part))
    if missing is not None and (missing != path or folder):
        made = path if folder else path.parent
        return (f"{missing} does not exist, and this user ({this_user()}) may not make it in "
                f"{missing.parent}: make the folder and give it to this user (`mkdir -p {made} "
                f"&& chown {os.getuid()}:{os.getgid()} {made}`, as root), or choose a folder "
                "this user may write")
    # A folder with all in it: what another user made there is theirs too (helper-151's 3).
    whole = "-R " if status is not None and stat.S_ISDIR(status.st_mode) else ""
    return (f"give it to this user, {this_user()} (`chown {whole}{os.getuid()}:{os.getgid()} "
            f"{path}`; for a folder mounted from the host, on the host's side)")


def chosen_folder_fix(folder: Path, error: OSError | None = None, *,
                      ours: tuple[str, ...] = ()) -> str:
    """`permission_fix` for a folder the operator chose (the data directory, the database's):
    another user's that holds what is not the bot's (`/`, the app's folder, the working
    folder: the chown of all in it was offered, helper-183's 2) is not to be given to the bot.
    `ours`: more names of the bot's there (the database's, when it has another)."""
    try:
        status, names = folder.stat(), os.listdir(folder)
    except OSError:  # missing, or closed to this user: its fix says so
        status, names = None, []
    if status is not None and status.st_uid != os.getuid() and not read_only_mount(folder) \
            and any(not name.startswith((*_OURS, *ours)) for name in names):
        return (f"{os.path.abspath(folder)} holds files that are not the bot's, and this user "
                f"({this_user()}) may not write there: give the bot a folder of its own")
    return permission_fix(folder, error, folder=True)


# What the bot keeps in its data directory (README: What is stored), and what a mounted file
# system brings along: a folder holding nothing else may be given to the bot whole.
_OURS = ("seminarbot", ".seminarbot", "heartbeat", "exports", "matrix", "incident-",
         "syllabus.cache", "lost+found")


def _closed_folder(path: Path) -> Path | None:
    """The first folder on the way to `path` that this user may not enter, if any."""
    for part in reversed(path.parents):
        try:
            if part.is_dir() and not os.access(part, os.X_OK):
                return part
        except OSError:  # a name too long, a folder above closed: nothing nearer to name
            return None
    return None
