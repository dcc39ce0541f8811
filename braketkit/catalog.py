"""What Braket offers by name: device aliases and ARNs, and the prebuilt job images."""

from __future__ import annotations

import re

__all__ = [
    "BUILTIN_DEVICES",
    "DEVICE_ARN_PATTERN",
    "IMAGE_REGIONS",
    "IMAGE_REPOSITORIES",
    "LOCAL_DEVICE_PATTERN",
    "alias_problem",
    "device_region",
    "expand_device",
    "image_uri",
    "is_device_reference",
    "is_image_uri",
    "is_qpu",
    "unknown_device",
]

BUILTIN_DEVICES = {
    "sv1": "arn:aws:braket:::device/quantum-simulator/amazon/sv1",
    "dm1": "arn:aws:braket:::device/quantum-simulator/amazon/dm1",
    "tn1": "arn:aws:braket:::device/quantum-simulator/amazon/tn1",
    "local": "local:braket/braket_sv",
}

DEVICE_ARN_PATTERN = r"arn:aws[a-z-]*:braket:([a-z0-9-]*):(?:[0-9]{12})?:device/.+"
"""A Braket device's ARN (its first group: the region, empty for the managed simulators)."""
LOCAL_DEVICE_PATTERN = r"local:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+"
"""A simulator inside the job: ``local:<provider>/<name>``."""
_ARN = re.compile(DEVICE_ARN_PATTERN)
_LOCAL = re.compile(LOCAL_DEVICE_PATTERN)
_QPU = re.compile(r"arn:aws[a-z-]*:braket:[a-z0-9-]*:(?:[0-9]{12})?:device/qpu/.+")


def is_device_reference(value: str) -> bool:
    """An ARN of a Braket device, or ``local:<provider>/<name>``."""
    return bool(_ARN.fullmatch(value) or _LOCAL.fullmatch(value))


def expand_device(value: str, aliases: dict[str, str]) -> str | None:
    """The device a name stands for, or None if unknown.

    A name is looked up in the project's aliases first, then in the built-in ones; an alias may name a device
    ARN, ``local:<provider>/<name>``, a built-in alias or another of the project's aliases. An alias is followed
    once: ``sv1 = "sv1"`` means the built-in sv1, and aliases that lead back to each other name no device.
    """
    followed: set[str] = set()
    while not is_device_reference(value):
        if value in aliases and value not in followed:
            followed.add(value)
            value = aliases[value]
        else:
            return BUILTIN_DEVICES.get(value)
    return value


def alias_problem(name: str, aliases: dict[str, str]) -> str | None:
    """What keeps the project's alias ``name`` from naming a device, or None."""
    if expand_device(name, aliases) is not None:
        return None
    from .errors import shown

    target = aliases[name]
    loop = " (the aliases lead back to each other)" if target in aliases and target != name else ""
    return (f"{shown(target)} names no device{loop}; an alias names a device ARN, local:<provider>/<name>, "
            f"a built-in alias ({', '.join(sorted(BUILTIN_DEVICES))}) or another alias that does")


def unknown_device(value: str, aliases: dict[str, str]) -> str:
    """What is said of a device name that ``expand_device`` does not know (the aliases that name a device)."""
    from .errors import shown

    usable = {alias for alias in aliases if expand_device(alias, aliases) is not None}
    names = ", ".join(sorted({*BUILTIN_DEVICES, *usable}))
    return f"unknown device {shown(value)}; expected an alias ({names}), a device ARN, or local:<provider>/<name>"


def is_qpu(device: str) -> bool:
    """A QPU's ARN: the devices billed per task and shot, and the only ones that take spending limits."""
    return bool(_QPU.fullmatch(device))


def device_region(device: str) -> str | None:
    """The region an ARN names (QPUs do; the managed simulators don't)."""
    match = _ARN.fullmatch(device)
    return (match.group(1) or None) if match else None


# Braket's prebuilt job images: one repository per alias, the same account and
# regions for all of them.
IMAGE_REGISTRY = "292282985366"
IMAGE_REPOSITORIES = {
    "base": "amazon-braket-base-jobs",
    "pytorch": "amazon-braket-pytorch-jobs",
    "tensorflow": "amazon-braket-tensorflow-jobs",
    "cudaq": "amazon-braket-cudaq-jobs",
}
IMAGE_REGIONS = ("us-east-1", "us-west-1", "us-west-2", "eu-west-2", "eu-north-1")


def is_image_uri(value: str) -> bool:
    """A full ECR image URI (checked in detail against the service model later)."""
    return ".dkr.ecr." in value


def image_uri(alias: str, region: str) -> str:
    return f"{IMAGE_REGISTRY}.dkr.ecr.{region}.amazonaws.com/{IMAGE_REPOSITORIES[alias]}:latest"
