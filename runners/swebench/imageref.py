"""Is a text a valid Docker image reference? (The grammar of distribution/reference.)

``[registry[:port]/]path[:tag][@digest]``: lowercase path components separated by ``.``,
``_``, ``__`` or dashes; a tag of up to 128 word characters, ``.`` and ``-``; a digest
``algorithm:hex``. Checked when the dataset loads, so a row's bad ``image`` is one line
there instead of an engine error per instance.
"""

from __future__ import annotations

import re

_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
# a first component is a registry only with a '.', a port, or as localhost (else it is part of the name)
_HOST = rf"(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})+(?::[0-9]+)?|{_DOMAIN_PART}:[0-9]+|localhost(?::[0-9]+)?)"
_DOMAIN = rf"(?:{_HOST}|\[[0-9a-fA-F:]+\](?::[0-9]+)?)"
_PATH_PART = r"[a-z0-9]+(?:(?:[_.]|__|-+)[a-z0-9]+)*"
_NAME = rf"(?:{_DOMAIN}/)?{_PATH_PART}(?:/{_PATH_PART})*"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
REFERENCE = re.compile(rf"(?P<name>{_NAME})(?::{_TAG})?(?:@{_DIGEST})?", re.ASCII)
MAX_NAME = 255


def is_image_reference(text: object) -> bool:
    if not isinstance(text, str):
        return False
    match = REFERENCE.fullmatch(text)
    return match is not None and len(match.group("name")) <= MAX_NAME


RULE = "[registry/]name[:tag][@digest] with a lowercase name, e.g. swebench/sweb.eval.x86_64.django_1776_django-11099"
