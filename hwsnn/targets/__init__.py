"""Typed, frozen hardware target specs loaded from ``mappings/<name>.toml``.

Every number in a target file carries its unit and source; the loader refuses a bare number.
"""

from hwsnn.targets.spec import (
    ChipLimits,
    CoreLimits,
    SourcedValue,
    TargetSpec,
    available_targets,
    load_target,
    parse_target,
)

__all__ = [
    "ChipLimits",
    "CoreLimits",
    "SourcedValue",
    "TargetSpec",
    "available_targets",
    "load_target",
    "parse_target",
]
