"""The kernel<->browser protocol is typed once, in Python (nbtrack/live/messages.py and
nbtrack/runs_table/messages.py); js/src/shared/protocol.gen.ts is generated from it and
checked in. These tests fail when the two drift, or when the TypedDicts stop describing
the widgets they are for."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import get_args, get_type_hints

import pytest
from traitlets import HasTraits

from nbtrack.live.code import WidgetCode
from nbtrack.live.messages import CodeTraits, PanelTraits
from nbtrack.live.widget import LivePanel
from nbtrack.runs_table.messages import TABLE_CALLS, TableRequest, TableTraits
from nbtrack.runs_table.service import TableService
from nbtrack.runs_table.widget import RunsTable

ROOT = Path(__file__).resolve().parents[1]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_protocol", ROOT / "scripts" / "gen_protocol.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_checked_in_typescript_is_generated_from_the_python_protocol() -> None:
    gen = _generator()
    fresh = gen.generate()
    current = gen.OUTPUT.read_text() if gen.OUTPUT.exists() else ""
    assert current == fresh, (
        "js/src/shared/protocol.gen.ts is stale: the protocol TypedDicts changed. Run "
        "`python scripts/gen_protocol.py` (then `npm run typecheck` in js/) and commit the result.")


def test_every_python_protocol_name_reaches_typescript() -> None:
    text = (ROOT / "js" / "src" / "shared" / "protocol.gen.ts").read_text()
    for name in ("PanelTraits", "CodeTraits", "DeltaMsg", "EarlierMsg", "ResyncMsg", "PanelKernelMsg",
                 "TableTraits", "TableCalls", "ReplyHead", "StaleMsg", "TableKernelMsg", "RunDetail"):
        assert f"export interface {name} " in text or f"export type {name} " in text, name


def _synced(widget: type[HasTraits]) -> set[str]:
    traits = widget.class_traits(sync=True)
    return {name for name in traits if not name.startswith("_")} - {"layout", "tabbable", "tooltip"}  # DOMWidget's own


@pytest.mark.parametrize(("widget", "typed"), [(LivePanel, PanelTraits), (WidgetCode, CodeTraits),
                                               (RunsTable, TableTraits)])
def test_trait_types_name_exactly_the_widgets_synced_traits(widget: type[HasTraits], typed: type) -> None:
    assert _synced(widget) == set(get_type_hints(typed))


def test_every_request_has_a_kernel_handler_and_a_reply_type() -> None:
    requests = {get_args(get_type_hints(r)["type"])[0] for r in get_args(TableRequest)}
    assert requests == set(TABLE_CALLS)
    for kind, (request, reply) in TABLE_CALLS.items():
        assert get_args(get_type_hints(request)["type"]) == (kind,)
        assert get_type_hints(reply), f"{kind}: the reply type has no fields"
        assert callable(getattr(TableService, f"_on_{kind}", None)), f"no TableService._on_{kind}"


def test_the_generator_refuses_a_type_it_cannot_spell() -> None:
    gen = _generator()
    with pytest.raises(gen.ProtocolError, match="no TypeScript spelling"):
        gen._Writer().ts(set[int])
