"""A build of the detector compiled to C with mypyc, used only while it matches the source.

Why: the detector is pure Python and spends its time in small loops and calls around the
regular expressions; compiled by mypyc (the compiler mypy itself ships with, reading the
type annotations these modules already carry) the same code runs faster (figures in
docs/pii.md, "Speed"), with the same spans (``tests/unit/pii/test_native.py`` compares them).

``scripts/build-pii-native`` (run by ``scripts/bootstrap``) compiles every module of
``pledge.pii`` except this one and the package's ``__init__`` into
``<sys.prefix>/pledge-pii-native/`` (or ``PLEDGE_PII_NATIVE_DIR``) and records a digest of
the sources it was built from.  On import, ``pledge.pii`` puts that build first on its
``__path__`` only when the digest still matches the sources beside it, so an edited module
is never shadowed by a stale build: it runs as plain Python until the next build.  A build
that matches but will not load (a damaged file) is dropped with a warning, and the package
loads as plain Python.  ``PLEDGE_PII_NATIVE=0`` turns the build off.  Without a C compiler
the build fails with a message, is not retried for the same sources, and Pledge runs as
plain Python.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "NATIVE_ROOT",
    "build",
    "compiled_modules",
    "native_dirs",
    "native_root",
    "source_digest",
]

NATIVE_ROOT = Path(sys.prefix) / "pledge-pii-native"
_NOT_COMPILED = frozenset({"__init__.py", "native.py"})
_DIGEST = "SOURCE_DIGEST"


def native_root() -> Path:
    """Where the build lives: ``PLEDGE_PII_NATIVE_DIR``, else beside the interpreter."""
    return Path(os.environ.get("PLEDGE_PII_NATIVE_DIR") or NATIVE_ROOT)


def compiled_sources(pii_dir: Path) -> list[Path]:
    """The modules a build compiles, in a fixed order."""
    return sorted(p for p in pii_dir.glob("*.py") if p.name not in _NOT_COMPILED)


def compiled_modules(pii_dir: Path) -> list[str]:
    """The names of the modules a build compiles."""
    return [p.stem for p in compiled_sources(pii_dir)]


def source_digest(pii_dir: Path) -> str:
    """SHA-256 over the names and bytes of the compiled modules, and the interpreter's
    version (a build is only valid for the Python it was compiled for)."""
    h = hashlib.sha256(sys.version.encode())
    for path in compiled_sources(pii_dir):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def native_dirs(pii_dir: Path, root: Path | None = None) -> tuple[Path, Path] | None:
    """(compiled modules, mypyc's shared library) when a build for exactly these sources
    exists and is not turned off, else None."""
    if os.environ.get("PLEDGE_PII_NATIVE", "1") == "0":
        return None
    root = native_root() if root is None else root
    try:
        recorded = (root / _DIGEST).read_text().strip()
    except OSError:
        return None
    if recorded != source_digest(pii_dir):
        return None
    return root / "pii", root / "lib"


def _failed_marker(root: Path) -> Path:
    return root.parent / (root.name + ".failed")


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One build at a time (two bootstraps at once would replace each other's files).  The
    lock file is never followed through a symbolic link."""
    root.parent.mkdir(parents=True, exist_ok=True)
    path = root.parent / (root.name + ".lock")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _not_a_build(root: Path) -> bool:
    """Whether *root* is a directory holding something other than a build (no digest file):
    a mistaken ``PLEDGE_PII_NATIVE_DIR`` must not be emptied."""
    return root.is_dir() and not (root / _DIGEST).exists() and any(root.iterdir())


def _compiler() -> str | None:
    """The C compiler Python's extensions are built with, if it is on this machine."""
    cc = os.environ.get("CC") or str(sysconfig.get_config_var("CC") or "cc")
    return shutil.which(cc.split()[0]) if cc.split() else None


def build(pii_dir: Path, root: Path | None = None) -> bool:
    """Compile the modules into *root* (replaced whole); False, with the reason on stderr,
    when there is no C compiler or mypyc or the compiler fails.  Nothing is done when the
    build is current, nor when a build of the same sources failed before (delete the
    ``.failed`` file beside it to try again)."""
    root = native_root() if root is None else root
    if _not_a_build(root):
        print(f"pledge.pii native build: {root} holds other files; not touched", file=sys.stderr)
        return False
    with _locked(root):
        digest = source_digest(pii_dir)
        with contextlib.suppress(OSError):
            if (root / _DIGEST).read_text().strip() == digest:
                return True
        failed = _failed_marker(root)
        with contextlib.suppress(OSError):
            if failed.read_text().strip() == digest:
                print(
                    f"pledge.pii native build: failed before for these sources ({failed})",
                    file=sys.stderr,
                )
                return False
        if _compiler() is None:
            print("pledge.pii native build: no C compiler found", file=sys.stderr)
            return False
        ok = _compile(pii_dir, root)
        if ok:
            failed.unlink(missing_ok=True)
        else:
            failed.write_text(digest + "\n")
        return ok


def _compile(pii_dir: Path, root: Path) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        package = work / "pledge" / "pii"
        package.mkdir(parents=True)
        (work / "pledge" / "__init__.py").write_text("")
        for path in pii_dir.glob("*.py"):
            shutil.copy2(path, package / path.name)
        digest = source_digest(package)  # of what is compiled, should a source change now
        names = [f"pledge/pii/{p.name}" for p in compiled_sources(package)]
        done = subprocess.run(  # noqa: S603 - our interpreter, our module names
            [sys.executable, "-m", "mypyc", *names],
            cwd=work,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(
                f"pledge.pii native build failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}",
                file=sys.stderr,
            )
            return False
        staged = Path(tempfile.mkdtemp(prefix=root.name + ".", dir=root.parent))
        staged.chmod(0o755)  # mkdtemp makes it private; the build is read by every user
        (staged / "pii").mkdir()
        (staged / "lib").mkdir()
        for lib in package.glob("*.so"):
            shutil.copy2(lib, staged / "pii" / lib.name)
        for lib in work.glob("*__mypyc*.so"):
            shutil.copy2(lib, staged / "lib" / lib.name)
        (staged / _DIGEST).write_text(digest + "\n")
        return _swap(staged, root)


def _swap(staged: Path, root: Path) -> bool:
    """Put the staged build in place of the old one, which is moved aside first (renames
    within one directory), then deleted."""
    old = root.parent / (root.name + ".old")
    try:
        shutil.rmtree(old, ignore_errors=True)
        if root.exists():
            root.rename(old)
        staged.rename(root)
    except OSError as exc:
        print(f"pledge.pii native build: could not install it ({exc.strerror})", file=sys.stderr)
        shutil.rmtree(staged, ignore_errors=True)
        return False
    shutil.rmtree(old, ignore_errors=True)
    return True


def main(argv: list[str]) -> int:
    if argv != ["build"]:
        print("usage: scripts/build-pii-native", file=sys.stderr)
        return 2
    return 0 if build(Path(__file__).resolve().parent) else 1
