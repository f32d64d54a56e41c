"""Which image an instance runs in, and the shell setup that activates its environment."""

from __future__ import annotations

import re

from runners.swebench.dataset import Instance
from runners.swebench.errors import RunnerError

OFFICIAL_TEMPLATE = "swebench/sweb.eval.x86_64.{docker_id}:latest"
# The shared Lite data carries `image: amd64.<iid>:latest`, a local placeholder nobody can pull.
_PLACEHOLDER = re.compile(r"^amd64\.[^/:]+:latest$")
# Official images keep the repo at /testbed and its environment in the conda env `testbed`;
# other images (minibench) have no conda, so the activation is conditional.
INIT_SCRIPT = (
    "if [ -f /opt/miniconda3/bin/activate ]; then source /opt/miniconda3/bin/activate && conda activate testbed; fi"
)


def docker_id(instance_id: str) -> str:
    """Docker Hub forbids ``__`` in names; the official images spell it ``_1776_``."""
    return instance_id.lower().replace("__", "_1776_")


def official_image(instance_id: str) -> str:
    return OFFICIAL_TEMPLATE.format(docker_id=docker_id(instance_id))


def image_for(instance: Instance, template: str | None = None) -> str:
    """``--image-template`` wins, then the row's own pullable ``image``, then the official name.

    A template may use ``{instance_id}``, ``{instance_id_lower}`` and ``{docker_id}``.
    """
    if template:
        try:
            return template.format(
                instance_id=instance.instance_id,
                instance_id_lower=instance.instance_id.lower(),
                docker_id=docker_id(instance.instance_id),
            )
        except (KeyError, IndexError, ValueError) as exc:
            raise RunnerError(
                f"--image-template {template!r}: use only {{instance_id}}, {{instance_id_lower}}, {{docker_id}} ({exc})"
            ) from None
    if instance.image and not _PLACEHOLDER.match(instance.image):
        return instance.image
    return official_image(instance.instance_id)
