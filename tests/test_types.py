"""braketkit.model.types: the one dispatch over an annotation, shared by the converter, resolve, schema and CLI."""

from __future__ import annotations

import subprocess
import sys
from typing import Any, Literal, Optional, Union

import pytest

from braketkit.model.settings import Instance, ParameterText, Seconds, Settings
from braketkit.model.types import Shape, field_types, shape, text_based, without_none


@pytest.mark.parametrize(("kind", "expected"), [
    (str | None, Shape("union", (str,), optional=True, origin=shape(str | None).origin)),
    (Optional[int], Shape("union", (int,), optional=True, origin=Union)),  # noqa: UP045 - the old spelling too
    (Union[str, list[str]], Shape("union", (str, list[str]), origin=Union)),  # noqa: UP007
    (Literal["a", "b"], Shape("literal", ("a", "b"), origin=Literal)),
    (list[int], Shape("list", (int,), origin=list)),
    (list, Shape("other", (), origin=list)),
    (dict[str, ParameterText], Shape("dict", (str, ParameterText), origin=dict)),
    (Instance, Shape("table", origin=Instance)),
    (tuple[int, ...], Shape("other", (int, ...), origin=tuple)),
    (Seconds, Shape("other", origin=Seconds)),
    (Any, Shape("other", origin=Any)),
])
def test_shape(kind: Any, expected: Shape) -> None:
    assert shape(kind) == expected


def test_without_none_and_text() -> None:
    assert without_none(int | None) is int
    assert without_none(int | str | None) == (int | str | None)
    assert [text_based(kind) for kind in (str, ParameterText, Seconds, str | list[str], int | None)] == [
        True, True, False, True, False]


def test_field_types_resolve_string_annotations() -> None:
    assert field_types(Settings)["instance"] is Instance
    assert list(field_types(Instance)) == ["type", "count", "volume_gb"]


def test_it_imports_nothing_heavy() -> None:
    """Decorating must stay quick: the helper pulls in neither cattrs nor boto3."""
    code = ("import sys, braketkit.model.types; "
            "print(sorted(m for m in ('cattrs', 'boto3', 'botocore') if m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"
