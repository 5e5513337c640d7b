"""The public label set of a labelled dataset, declared before any row arrives.

Which classes exist must not depend on the data: a classifier's dataset declares its
integer ``classes``, a regressor's its ``label_range`` [lo, hi]; an upload's labels
outside the declaration are refused (``check_labels``), so a build never meets one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.errors import InvalidParameter

__all__ = ["MAX_CLASSES", "MAX_LABEL_MAGNITUDE", "LabelSet"]

MAX_CLASSES = 1_000
MAX_LABEL_MAGNITUDE = 1e12  # integer class labels and the label range's ends


@dataclass(frozen=True, slots=True)
class LabelSet:
    """``classes`` (distinct integers, sorted) for classification, or ``label_range``
    (lo < hi) for regression; exactly one of them."""

    classes: tuple[int, ...] | None = None
    label_range: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if (self.classes is None) == (self.label_range is None):
            raise InvalidParameter("labels", "declare either classes or label_range")
        if self.classes is not None:
            if not 2 <= len(self.classes) <= MAX_CLASSES:
                raise InvalidParameter("classes", f"must list 2 to {MAX_CLASSES} classes")
            if len(set(self.classes)) != len(self.classes):
                raise InvalidParameter("classes", "must be distinct")
            if any(abs(c) > MAX_LABEL_MAGNITUDE for c in self.classes):
                raise InvalidParameter("classes", f"must be at most {MAX_LABEL_MAGNITUDE:g} "
                                       "in magnitude")
            object.__setattr__(self, "classes", tuple(sorted(int(c) for c in self.classes)))
        if self.label_range is not None:
            lo, hi = (float(v) for v in self.label_range)
            if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
                raise InvalidParameter("label_range", "must be two finite numbers, lo < hi")
            if max(abs(lo), abs(hi)) > MAX_LABEL_MAGNITUDE:
                raise InvalidParameter("label_range", f"ends must be at most "
                                       f"{MAX_LABEL_MAGNITUDE:g} in magnitude")
            object.__setattr__(self, "label_range", (lo, hi))

    @classmethod
    def declared(cls, classes: Sequence[int] | None,
                 label_range: Sequence[float] | None) -> LabelSet | None:
        """The dataset's declaration, or None for an unlabelled dataset."""
        if classes is None and label_range is None:
            return None
        if label_range is not None and len(label_range) != 2:
            raise InvalidParameter("label_range", "must be [lo, hi]")
        return cls(tuple(classes) if classes is not None else None,
                   (float(label_range[0]), float(label_range[1]))
                   if label_range is not None else None)

    def to_dict(self) -> dict[str, Any]:
        if self.classes is not None:
            return {"classes": list(self.classes)}
        return {"label_range": list(self.label_range or ())}

    def check_labels(self, labels: NDArray[Any]) -> None:
        """Refuse labels outside the declaration (at upload: before anything is stored).
        The message names the rule, never a value."""
        values = np.asarray(labels)
        if self.classes is not None:
            if values.size and not np.all(np.isin(values, np.asarray(self.classes))):
                raise InvalidParameter("labels", "every label must be one of the dataset's "
                                       "declared classes")
            return
        lo, hi = self.label_range or (-math.inf, math.inf)
        as_float = values.astype(np.float64)
        if values.size and not (np.all(np.isfinite(as_float)) and as_float.min() >= lo
                                and as_float.max() <= hi):
            raise InvalidParameter("labels", "every label must lie in the dataset's declared "
                                   "label_range")
