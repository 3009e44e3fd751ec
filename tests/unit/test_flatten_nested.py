"""The one flattening rule (nbtrack.flatten.flatten_nested) and the places that use it:
config/summary columns ("."), summary assignment and imported runs ("/")."""

from __future__ import annotations

from fakes import make_run

from nbtrack.flatten import flatten_config, flatten_nested
from nbtrack.plain_values import MAX_DEPTH


def test_levels_join_with_the_separator_and_leaves_stay_whole():
    image = {"_type": "image-file", "path": "media/x.png"}
    data = {"a": {"b": 1, "c": {"d": "x"}}, "img": image, "empty": {}, "list": [1, {"k": 2}], "n": None}
    assert flatten_nested(data) == {"a/b": 1, "a/c/d": "x", "img": image, "empty": {}, "list": [1, {"k": 2}],
                                    "n": None}
    assert flatten_config(data) == {"a.b": 1, "a.c.d": "x", "img": image, "empty": {}, "list": [1, {"k": 2}],
                                    "n": None}


def test_keys_become_text():
    assert flatten_nested({"a": {1: "one", None: "none"}}) == {"a/1": "one", "a/None": "none"}


def test_two_paths_never_share_a_name():
    assert flatten_config({"a": {"b": 1}, "a.b": 2}) == {"a.b": 1, "[a.b]": 2}
    assert flatten_nested({"a": {"b": 1}, "a/b": 2}) == {"a/b": 1, "[a/b]": 2}
    # a separator inside a key without a collision is left alone
    assert flatten_nested({"train/loss": 0.5, "val": {"acc/top1": 0.9}}) == {"train/loss": 0.5, "val/acc/top1": 0.9}


def test_nesting_past_the_depth_limit_is_kept_whole():
    deep: dict = {"leaf": 1}
    for _ in range(MAX_DEPTH + 3):
        deep = {"x": deep}
    flat = flatten_nested(deep)
    [(name, value)] = flat.items()
    assert name.count("/") == MAX_DEPTH and isinstance(value, dict)


def test_summary_assignment_of_a_dict_uses_the_rule():
    run, w = make_run()
    run.summary["best"] = {"acc": 0.9, "at": {"epoch": 3}, "empty": {}}
    run.summary.update({"img": {"_type": "image-file", "path": "p.png"}})
    assert run.summary["best/acc"] == 0.9 and run.summary["best/at/epoch"] == 3
    assert run.summary["best"]["at"] == {"epoch": 3}  # read back nested, as wandb code does
    assert run.summary["best/empty"] == {}
    assert run.summary["img"] == {"_type": "image-file", "path": "p.png"}
    run.finish()
    summary = w.merged()["summary"]
    assert {k: summary[k] for k in ("best/acc", "best/at/epoch")} == {"best/acc": 0.9, "best/at/epoch": 3}
