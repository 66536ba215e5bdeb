"""The submissions of a class: found under ROOT, sliced into shards, hashed, unpacked from zips.

Every folder directly under ROOT is one submission, named by its folder; so is every `NAME.zip`
(an LMS export: one archive per student). Names starting with a dot, and `__MACOSX`, are not
submissions. A zip is unpacked safely into a private folder: no absolute names, no `..`, no
links, a cap on the number of files and on the bytes actually written.
"""

import hashlib
import os
import re
import stat
import zipfile
from dataclasses import dataclass

from .. import safe_text
from ..errors import UsageError

MAX_ZIP_FILES = 2000
MAX_ZIP_BYTES = 64 << 20
# Hashing reads at most this many bytes of a submission; past it, sizes and mtimes stand in.
MAX_HASHED_BYTES = 64 << 20
IGNORED = ("__MACOSX", "__pycache__")
NAME_LIMIT = 1000  # longer than any file name: a cut could make two students one


@dataclass(frozen=True)
class Submission:
    name: str
    path: str
    kind: str  # "folder" or "zip"


def discover(root, exclude=None):
    """The submissions under `root`, sorted by name (not `exclude`, the batch's own output
    folder, should it lie there); a UsageError when there are none."""
    if not os.path.exists(root):
        raise UsageError(f"ROOT {root!r} does not exist")
    if not os.path.isdir(root):
        raise UsageError(f"ROOT {root!r} is a file; "
                         "give the folder that holds one folder or .zip per student")
    found = {}
    for entry in sorted(os.listdir(root)):
        if entry.startswith(".") or entry in IGNORED:
            continue
        path = os.path.join(root, entry)
        if exclude and os.path.realpath(path) == os.path.realpath(exclude):
            continue
        # The name goes into reports, file names, the gradebook and progress lines: made safe
        # here, once (bytes that are not UTF-8 and control characters as visible escapes).
        if os.path.isdir(path):
            sub = Submission(safe_text.clean_name(entry, limit=NAME_LIMIT), path, "folder")
        elif entry.lower().endswith(".zip") and os.path.isfile(path) and len(entry) > 4:
            sub = Submission(safe_text.clean_name(entry[:-4], limit=NAME_LIMIT), path, "zip")
        else:
            continue
        if sub.name in found:
            raise UsageError(f"two submissions are named {sub.name!r} in {root}: "
                             f"{os.path.basename(found[sub.name].path)} and {entry}")
        found[sub.name] = sub
    if not found:
        raise UsageError(f"ROOT {root!r} holds no submissions (one folder or .zip per student)")
    return [found[name] for name in sorted(found)]


def parse_shard(text):
    """'I/N' -> (I, N), with 1 <= I <= N."""
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not m:
        raise UsageError(f"--shard {text!r}: expected I/N, such as 2/4")
    index, count = int(m.group(1)), int(m.group(2))
    if count < 1 or not 1 <= index <= count:
        raise UsageError(f"--shard {text!r}: I must be between 1 and N (shards are numbered from 1)")
    return index, count


def shard_of(name, count):
    """The shard (1..count) that grades `name`: a stable hash of the name alone, so a student
    stays in the same shard when others join or leave ROOT (and its cached report stays valid)."""
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def select_shard(subs, index, count):
    return [s for s in subs if shard_of(s.name, count) == index]


# ---------------------------------------------------------------------------------------- hashing
def tree_hash(path):
    """A content hash of a folder: relative paths, link targets and file contents."""
    h = hashlib.sha256()
    budget = MAX_HASHED_BYTES
    for folder, dirs, files in os.walk(path, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in IGNORED)
        for name in dirs:  # a link to a folder is listed here and not walked: its target counts
            full = os.path.join(folder, name)
            if os.path.islink(full):
                h.update(b"\0D" + os.path.relpath(full, path).encode("utf-8", "surrogateescape")
                         + b"\0" + os.readlink(full).encode("utf-8", "surrogateescape"))
        for name in sorted(files):
            if name.endswith(".pyc"):
                continue
            full = os.path.join(folder, name)
            rel = os.path.relpath(full, path).encode("utf-8", "surrogateescape")
            h.update(b"\0F" + rel + b"\0")
            try:
                st = os.lstat(full)
                if stat.S_ISLNK(st.st_mode):
                    h.update(b"L" + os.readlink(full).encode("utf-8", "surrogateescape"))
                elif not stat.S_ISREG(st.st_mode):
                    h.update(b"S")
                elif st.st_size <= budget:
                    budget -= st.st_size
                    with open(full, "rb") as fh:
                        for chunk in iter(lambda: fh.read(1 << 20), b""):
                            h.update(chunk)
                else:
                    h.update(f"size={st.st_size} mtime={st.st_mtime_ns}".encode())
            except OSError as exc:
                h.update(f"unreadable {exc.errno}".encode())
    return h.hexdigest()


def file_hash(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def submission_hash(sub):
    try:
        return file_hash(sub.path) if sub.kind == "zip" else tree_hash(sub.path)
    except OSError as exc:
        return f"unreadable:{exc.errno}"


def course_hash(course, options):
    """What a report depends on besides the submission: the manifest, the tests, the grader's
    own code and the grading options (timeout, memory, sandbox, exercises)."""
    from .. import __version__
    h = hashlib.sha256(f"grader {__version__}\n{sorted(options.items())!r}\n".encode())
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for label, folder in (("manifest", os.path.dirname(course.manifest_path)),
                          ("tests", course.tests_dir), ("grader", package)):
        h.update(f"\0{label}\0".encode())
        for sub, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d not in IGNORED)
            for name in sorted(files):
                if label == "manifest" and name != "manifest.toml":
                    continue
                if name.endswith((".py", ".toml", ".ini")):
                    full = os.path.join(sub, name)
                    h.update(os.path.relpath(full, folder).encode() + b"\0")
                    with open(full, "rb") as fh:
                        h.update(fh.read())
    return h.hexdigest()


# ------------------------------------------------------------------------------------------- zips
class UnsafeZip(Exception):
    """The archive was refused; the message says why."""


def safe_member_path(name):
    """The member's relative path parts, or UnsafeZip for absolute names and `..`."""
    text = name.replace("\\", "/")
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text) or "\0" in text:
        raise UnsafeZip(f"member {name!r} has an absolute name")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise UnsafeZip(f"member {name!r} leaves the folder ('..')")
    return parts


def is_link_member(info):
    """Whether a zip member is a symbolic link (its data is the link's target, not a file):
    `batch` refuses such an archive, the Gradescope upload leaves the member out."""
    return stat.S_ISLNK(info.external_attr >> 16)


def unpack_zip(archive, target, max_files=MAX_ZIP_FILES, max_bytes=MAX_ZIP_BYTES):
    """Unpack `archive` into the empty folder `target`; UnsafeZip when it is not safe to."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnsafeZip(f"not a readable zip archive: {exc}") from None
    with zf:
        members = zf.infolist()
        if len(members) > max_files:
            raise UnsafeZip(f"{len(members)} members, more than the {max_files} allowed")
        written = 0
        for info in members:
            parts = safe_member_path(info.filename)
            if is_link_member(info):
                raise UnsafeZip(f"member {info.filename!r} is a symbolic link")
            if not parts:
                continue
            if any(p in IGNORED for p in parts[:-1]) or parts[0] in IGNORED:
                continue
            dest = os.path.join(target, *parts)
            if info.is_dir() or info.filename.endswith(("/", "\\")):
                os.makedirs(dest, mode=0o755, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(dest), mode=0o755, exist_ok=True)
            try:
                fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            except FileExistsError:
                raise UnsafeZip(f"member {info.filename!r} appears twice") from None
            try:
                with os.fdopen(fd, "wb") as out, zf.open(info) as src:
                    while True:
                        chunk = src.read(1 << 20)
                        if not chunk:
                            break
                        written += len(chunk)
                        if written > max_bytes:
                            raise UnsafeZip(f"unpacks to more than {max_bytes >> 20} MiB")
                        out.write(chunk)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError) as exc:
                raise UnsafeZip(f"member {info.filename!r} cannot be read: {exc}") from None


def module_folder(folder, module_files):
    """The folder holding the modules: `folder` itself or one folder below it (archives often
    wrap everything in one folder); `folder` when neither holds any."""
    wanted = set(module_files)

    def holds(path):
        try:
            return bool(wanted & set(os.listdir(path)))
        except OSError:
            return False

    if holds(folder):
        return folder
    for entry in sorted(os.listdir(folder)):
        path = os.path.join(folder, entry)
        if entry not in IGNORED and not entry.startswith(".") and os.path.isdir(path) \
                and not os.path.islink(path) and holds(path):
            return path
    return folder
