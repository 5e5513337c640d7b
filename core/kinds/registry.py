"""What a structure kind is, in one typed record: ``KindDef``.

A kind's folder (``core/kinds/<kind>/``) declares its parameters as a frozen dataclass
whose fields carry a ``ParamDef`` (made with ``param``), and registers one ``KindDef``.
Everything else reads the registry: the service's build requests and kernel catalog,
the audit's cases, the generic tests. ``parse_params`` reads a JSON-like mapping into
the dataclass strictly: unknown keys, wrong types and values out of range fail with
``InvalidParameter("params.<name>", rule)``; a missing optional field takes its default
(``None`` where the spec derives it, e.g. from ``alpha``).

    @dataclass(frozen=True, slots=True)
    class Params:
        bandwidth: float = param("number", "kernel bandwidth sigma", required=True,
                                 minimum=MIN_BANDWIDTH, maximum=MAX_BANDWIDTH)
        mechanism: str = param("string", "noise mechanism", default="laplace",
                               choices=("laplace", "gaussian"))

    typed = parse_params(Params, {"bandwidth": 0.5})
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import numpy as np
from numpy.typing import NDArray

from core.domain import Neighbouring
from core.errors import InvalidParameter
from core.privacy.mechanisms import Mechanism, NoisePlan

if TYPE_CHECKING:
    from core.structures.base import Release, Spec

__all__ = ["AuditControls", "AuditDef", "KindDef", "ParamDef", "ParamType", "given", "param",
           "param_defs", "parse_params"]

ParamType = Literal["number", "integer", "string"]
P = TypeVar("P")


@dataclass(frozen=True, slots=True)
class ParamDef:
    """One parameter of a kind, as the catalog and the request schema publish it.

    ``default``: the value taken when the parameter is absent (``None``: required, or
    derived by the spec, which ``derived`` then says how); ``nullable``: whether an
    explicit null is accepted (it means the same as absent)."""

    name: str
    type: ParamType
    meaning: str
    required: bool = False
    default: float | int | str | None = None
    derived: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    nullable: bool = True


_META = "privsim.param"


def param(type: ParamType, meaning: str, *, required: bool = False,
          default: float | int | str | None = None, derived: str | None = None,
          minimum: float | None = None, maximum: float | None = None,
          choices: tuple[str, ...] | None = None) -> Any:
    """A dataclass field describing one parameter (see ``ParamDef``). Required fields
    still get the dataclass default ``None`` so that field order is free; ``parse_params``
    refuses them when absent."""
    meta = ParamDef("", type, meaning, required, default, derived, minimum, maximum,
                    choices, nullable=not required)
    return field(default=default, metadata={_META: meta})


def param_defs(cls: type) -> tuple[ParamDef, ...]:
    """The ``ParamDef`` of every field of a params dataclass, in declaration order."""
    if not is_dataclass(cls):
        raise TypeError(f"{cls!r} is not a dataclass")
    out = []
    for f in fields(cls):
        meta = f.metadata.get(_META)
        if not isinstance(meta, ParamDef):
            raise TypeError(f"{cls.__name__}.{f.name} is not declared with param()")
        out.append(ParamDef(f.name, meta.type, meta.meaning, meta.required, meta.default,
                            meta.derived, meta.minimum, meta.maximum, meta.choices,
                            meta.nullable))
    return tuple(out)


def _read(p: ParamDef, value: Any) -> float | int | str:
    name = f"params.{p.name}"
    if p.type == "string":
        if not isinstance(value, str) or (p.choices is not None and value not in p.choices):
            options = ", ".join(p.choices or ())
            raise InvalidParameter(name, f"must be one of {options}" if options
                                   else "must be a string")
        return value
    if p.type == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidParameter(name, "must be an integer")
        if not ((p.minimum is None or value >= p.minimum)
                and (p.maximum is None or value <= p.maximum)):
            raise InvalidParameter(name, f"must be between {p.minimum:g} and {p.maximum:g}"
                                   if p.minimum is not None and p.maximum is not None
                                   else "is out of range")
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidParameter(name, "must be a number")
    number = float(value)
    if not math.isfinite(number):
        raise InvalidParameter(name, "must be a finite number")
    if not ((p.minimum is None or number >= p.minimum)
            and (p.maximum is None or number <= p.maximum)):
        raise InvalidParameter(name, f"must be between {p.minimum:g} and {p.maximum:g}"
                               if p.minimum is not None and p.maximum is not None
                               else "is out of range")
    return number


def parse_params(cls: type[P], params: Mapping[str, Any]) -> P:
    """Read ``params`` into the dataclass ``cls`` strictly (see the module docstring)."""
    if not isinstance(params, Mapping):
        raise InvalidParameter("params", "must be an object")
    defs = {p.name: p for p in param_defs(cls)}
    unknown = sorted(set(params) - set(defs))
    if unknown:
        raise InvalidParameter("params", "unknown parameter(s): " + ", ".join(unknown))
    values: dict[str, Any] = {}
    for name, p in defs.items():
        value = params.get(name)
        if value is None:
            if p.required:
                raise InvalidParameter(f"params.{name}", "is required")
            values[name] = p.default
        else:
            values[name] = _read(p, value)
    return cls(**values)


def given(params: Mapping[str, Any], name: str) -> bool:
    """Whether ``name`` was given a non-null value (some defaults depend on it)."""
    return params.get(name) is not None


if TYPE_CHECKING:
    from core.privacy.audit import NeighbourPair
    from core.privacy.sensitivity_search import CandidateRows


@dataclass(frozen=True, slots=True)
class AuditControls:
    """The negative controls the fast black-box audit runs on a kind under one
    mechanism, as releases per dataset (the thorough audit runs every control on every
    kind): half the noise (add/remove), the add/remove sensitivities on a replace-one
    dataset, one statistic's noise halved alone (``half_statistic``, by statistic),
    and, thorough only, half the noise and the wrong relation at delta = 1e-5
    (``realistic_delta`` releases; 0: not run)."""

    half_noise: int
    wrong_relation: int
    half_statistic: Mapping[str, int] = field(default_factory=dict)
    realistic_delta: int = 0


@dataclass(frozen=True, slots=True)
class AuditDef:
    """How the statistical audit exercises a kind: the smallest structure worth auditing
    (``params(mechanism)``, in ``dim`` dimensions) and a pair of neighbouring datasets
    that attains the sensitivities its plan was calibrated for.

    ``search_params`` and ``map_params``: the kind in the larger settings of the
    sensitivity search and the privacy-map check (dim 8, a box; without the
    mechanism, which the suite adds where the kind takes one); ``search_candidates``:
    the kind's own candidate rows for the sensitivity search (None: the generic ones
    only); ``controls``: the fast black-box audit's negative controls, by mechanism
    (none: the kind is covered by the thorough audit's controls only);
    ``pair_reaches``: by relation, the range (low, high) of the fraction of the claimed
    epsilon that the worst-case pair reaches under the Laplace plan, where no single
    pair can attain every sensitivity at once (absent: it attains the claim);
    ``variants``: named parameter sets added to both settings' parameters, each audited
    as the kind labelled ``<kind>+<name>`` (every layer; the black box without
    controls). The suites: core/kinds/audit_suite.py."""

    params: Callable[[Mechanism], Mapping[str, Any]]
    worst_case_pair: Callable[[Spec, int, NoisePlan], NeighbourPair]
    dim: int = 2
    search_params: Mapping[str, Any] = field(default_factory=dict)
    map_params: Mapping[str, Any] = field(default_factory=dict)
    search_candidates: CandidateRows | None = None
    controls: Mapping[Mechanism, AuditControls] = field(default_factory=dict)
    pair_reaches: Mapping[Neighbouring, tuple[float, float]] = field(default_factory=dict)
    variants: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class KindDef:
    """One structure kind: everything the service, the catalog, the audit and the
    generic tests need, in one place.

    ``formula``: f(x, y), whose sum over the rows a query answers; ``spec``: the class
    with ``parse(params, data)``; ``release``: the class a stored release loads into;
    ``sensitivity`` and ``query_cost``: plain-text formulas in the parameters;
    ``derivation``: the document (path from the repository root, with an anchor) that
    derives the sensitivities; ``reference``: the exact float64 brute force
    F(y) = sum_x f(x, y) of the spec's kernel or distance, rows and points (q, d) ->
    (q,); ``example_params``: a small valid build."""

    name: str
    title: str
    formula: str
    params: type
    spec: type[Spec]
    release: type[Release]
    mechanisms: tuple[Mechanism, ...]
    relations: tuple[Neighbouring, ...]
    sensitivity: str
    query_cost: str
    derivation: str
    example_params: Mapping[str, Any]
    reference: Callable[[Spec, NDArray[np.float64], NDArray[np.float64]],
                        NDArray[np.float64]]
    audit: AuditDef

    @property
    def param_defs(self) -> tuple[ParamDef, ...]:
        return param_defs(self.params)

    @property
    def default_mechanism(self) -> Mechanism:
        return self.mechanisms[0]

