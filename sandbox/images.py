"""Images: make sure one is present (pull with retries), build derived ones idempotently."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.engine import api_call, connect, is_connection_error, unavailable
from sandbox.errors import ImageNotFoundError, SandboxError

if TYPE_CHECKING:
    import docker

CONTEXT_LABEL = "patchloop.context_sha256"


def _split_tag(image: str) -> tuple[str, str]:
    name, _, digest = image.partition("@")
    if digest:
        return name, digest
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        repo, _, tag = name.rpartition(":")
        return repo, tag
    return name, "latest"


def ensure_image(
    image: str,
    *,
    client: docker.DockerClient | None = None,
    pull_attempts: int = 3,
    pull_wait_s: float = 2.0,
) -> None:
    """Return once ``image`` is present locally, pulling it (with retries) when it is not.

    Raises ImageNotFoundError naming the image when every attempt failed.
    """
    import tenacity
    from docker.errors import APIError, ImageNotFound

    client = client or connect()
    try:
        api_call(client.images.get, image)
        return
    except ImageNotFound:
        pass
    except APIError as exc:
        raise SandboxError(f"could not inspect image {image!r}: {exc.explanation or exc}") from None

    repo, tag = _split_tag(image)
    last_error: list[str] = []
    attempts: list[int] = []

    def pull() -> None:
        attempts.append(1)
        try:
            api_call(client.api.pull, repo, tag=tag)
        except APIError as exc:
            last_error[:] = [str(exc.explanation or exc)]
            raise

    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(max(1, pull_attempts)),
        wait=tenacity.wait_exponential(multiplier=pull_wait_s, max=30),
        retry=tenacity.retry_if_exception_type(APIError),
        reraise=True,
    )
    try:
        retrying(pull)
    except APIError:
        raise ImageNotFoundError(image, f"{len(attempts)} pull attempt(s) failed: {last_error[-1]}") from None
    try:
        api_call(client.images.get, image)
    except ImageNotFound:
        raise ImageNotFoundError(image, "the pull finished but the image is still missing") from None


def _hash_context(context: Path) -> str:
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(context):
        dirs.sort()
        for name in sorted(files):
            path = Path(root, name)
            rel = path.relative_to(context).as_posix()
            digest.update(rel.encode() + b"\0")
            digest.update(oct(path.lstat().st_mode).encode() + b"\0")
            if path.is_symlink():
                digest.update(os.readlink(path).encode())
            else:
                digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def _dockerfile_tar(dockerfile: str) -> tuple[io.BytesIO, str]:
    data = dockerfile.encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    return buffer, hashlib.sha256(data).hexdigest()


def build_image(
    tag: str,
    *,
    dockerfile: str | None = None,
    context: str | os.PathLike[str] | None = None,
    buildargs: dict[str, str] | None = None,
    client: docker.DockerClient | None = None,
    force: bool = False,
) -> str:
    """Build ``tag`` from Dockerfile text or from a context folder holding a Dockerfile.

    Idempotent: the image carries a label with a hash of its inputs, and an existing image
    with the same hash is reused without building. Returns the image id.
    """
    from docker.errors import APIError, BuildError, ImageNotFound

    if (dockerfile is None) == (context is None):
        raise ValueError("pass exactly one of dockerfile= (the text) or context= (a folder)")
    client = client or connect()
    if context is not None:
        context_path = Path(context)
        if not (context_path / "Dockerfile").is_file():
            raise SandboxError(f"build context {context_path} has no Dockerfile; add one")
        content_hash = _hash_context(context_path)
    else:
        fileobj, content_hash = _dockerfile_tar(dockerfile or "")
    if buildargs:
        content_hash = hashlib.sha256((content_hash + repr(sorted(buildargs.items()))).encode()).hexdigest()

    if not force:
        try:
            existing = api_call(client.images.get, tag)
            if (existing.labels or {}).get(CONTEXT_LABEL) == content_hash:
                return existing.id
        except ImageNotFound:
            pass
        except APIError as exc:  # e.g. a tag docker cannot parse ("Bad Tag")
            raise SandboxError(f"cannot build image {tag!r}: {exc.explanation or exc}") from None

    kwargs = dict(
        tag=tag,
        rm=True,
        forcerm=True,
        buildargs=buildargs or {},
        labels={CONTEXT_LABEL: content_hash, "patchloop.managed": "1"},
    )
    try:
        if context is not None:
            image, _logs = client.images.build(path=str(context), **kwargs)
        else:
            image, _logs = client.images.build(fileobj=fileobj, custom_context=True, **kwargs)
    except BuildError as exc:
        tail = "".join(str(chunk.get("stream") or chunk.get("error") or "") for chunk in list(exc.build_log)[-20:])
        raise SandboxError(f"building image {tag!r} failed: {exc.msg}\n{tail}") from None
    except APIError as exc:
        raise SandboxError(f"building image {tag!r} failed: {exc.explanation or exc}") from None
    except Exception as exc:
        if is_connection_error(exc):
            raise unavailable(exc) from None
        raise
    return image.id
