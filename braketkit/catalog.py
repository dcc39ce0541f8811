"""What Braket offers by name: device aliases and ARNs, and the prebuilt job images."""

from __future__ import annotations

import re

__all__ = [
    "BUILTIN_DEVICES",
    "DEVICE_ARN_PATTERN",
    "IMAGE_REGIONS",
    "IMAGE_REPOSITORIES",
    "LOCAL_DEVICE_PATTERN",
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
    """The device a name stands for (project aliases first), or None if unknown."""
    if is_device_reference(value):
        return value
    target = aliases.get(value, BUILTIN_DEVICES.get(value))
    if target is not None and target in aliases and target != value:
        return expand_device(target, {k: v for k, v in aliases.items() if k != value})
    return target if target is not None and is_device_reference(target) else None


def unknown_device(value: str, aliases: dict[str, str]) -> str:
    """What is said of a device name that ``expand_device`` does not know."""
    names = ", ".join(sorted({*BUILTIN_DEVICES, *aliases}))
    return f"unknown device {value!r}; expected an alias ({names}), a device ARN, or local:<provider>/<name>"
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
