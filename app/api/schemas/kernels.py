"""The kernel catalog (``GET /v1/kernels``) and each kind's typed build parameters, both
generated from core's kind registry (``core.kinds``): a kind added there appears here, in
the OpenAPI document and in the build request's union, with nothing to write by hand.

``params_model(kind)`` is a strict pydantic model of one kind's ``params``: a field per
``ParamDef``, typed (``number``, ``integer``, ``string`` or a ``Literal`` of its choices),
ranged (``ge``/``le``), documented (its meaning, how it is derived when absent), required
or defaulted. It only types the request: the values the client sent are handed to core's
parser as they were (``sent_params``), which fills in the derived defaults and checks the
rules between parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import Field, ValidatorFunctionWrapHandler, WrapValidator, create_model
from pydantic.fields import FieldInfo

from app.api.schemas.common import Out, Strict
from core.kinds import REGISTRY
from core.kinds.registry import KindDef, ParamDef

__all__ = ["KernelCatalog", "KernelRead", "ParamRead", "kinds", "model_name", "params_model",
           "sent_params"]


class ParamRead(Out):
    name: str
    type: Literal["number", "integer", "string"]
    meaning: str
    required: bool
    default: float | int | str | None = Field(
        description="the value taken when the parameter is absent (null: required, or "
        "derived as 'derived' says)")
    derived: str | None = Field(description="how the value is derived when absent")
    minimum: float | None = Field(description="smallest allowed value (inclusive)")
    maximum: float | None = Field(description="largest allowed value (inclusive)")
    choices: list[str] | None = Field(description="the allowed values of a string")
    nullable: bool = Field(description="whether an explicit null is accepted")

    @classmethod
    def of(cls, p: ParamDef) -> ParamRead:
        return cls(name=p.name, type=p.type, meaning=p.meaning, required=p.required,
                   default=p.default, derived=p.derived, minimum=p.minimum,
                   maximum=p.maximum, choices=None if p.choices is None else list(p.choices),
                   nullable=p.nullable)


class KernelRead(Out):
    kind: str
    title: str
    formula: str = Field(description="f(x, y): a query at y answers F(y) = sum over the "
                         "rows x of f(x, y), or its mean")
    params: list[ParamRead]
    mechanisms: list[str] = Field(description="the noise mechanisms it offers, the "
                                  "default first")
    relations: list[str] = Field(description="the neighbouring relations it supports")
    sensitivity: str = Field(description="the sensitivities its noise is calibrated to, "
                             "in terms of the parameters")
    query_cost: str = Field(description="the CPU cost of one query point")
    derivation: str = Field(description="the document that derives the sensitivities "
                            "(path in the repository, with an anchor)")
    example_params: dict[str, Any] = Field(description="a small valid build's params")

    @classmethod
    def of(cls, kind: KindDef) -> KernelRead:
        return cls(kind=kind.name, title=kind.title, formula=kind.formula,
                   params=[ParamRead.of(p) for p in kind.param_defs],
                   mechanisms=list(kind.mechanisms), relations=list(kind.relations),
                   sensitivity=kind.sensitivity, query_cost=kind.query_cost,
                   derivation=kind.derivation, example_params=dict(kind.example_params))


class KernelCatalog(Out):
    kernels: list[KernelRead]


def model_name(kind: str) -> str:
    """``sq_l2_distance`` -> ``SqL2Distance``."""
    return "".join(part[:1].upper() + part[1:] for part in kind.split("_"))


def _keep_int(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """A JSON integer given for a ``number`` stays an integer: core reads the value the
    client sent, exactly as before these models existed (and an idempotent request's
    fingerprint with it)."""
    checked = handler(value)
    return value if type(value) is int else checked


def _whole(bound: float | None) -> int | None:
    return None if bound is None else int(bound)


def _field(p: ParamDef) -> tuple[Any, FieldInfo]:
    """The annotation and ``Field`` of one parameter."""
    kind: Any
    if p.type == "string":
        kind = Literal[p.choices] if p.choices else str
    else:
        if p.type == "integer":  # bounds inclusive, as core reads them
            kind = Annotated[int, Field(ge=_whole(p.minimum), le=_whole(p.maximum))]
        else:
            kind = Annotated[float, Field(ge=p.minimum, le=p.maximum),
                             WrapValidator(_keep_int)]
    if p.nullable:
        kind = kind | None
    description = p.meaning
    if p.derived:
        description += f". When absent: {p.derived}"
    info: Any = Field(default=... if p.required else p.default, description=description)
    return kind, info


@cache
def params_model(kind: str) -> type[Strict]:
    """The strict model of ``kind``'s params (``GaussianKdeParams``)."""
    definition = REGISTRY[kind]
    fields: dict[str, Any] = {p.name: _field(p) for p in definition.param_defs}
    model: type[Strict] = create_model(
        f"{model_name(kind)}Params", __base__=Strict, __doc__=f"The params of {kind}: "
        f"{definition.title}. f(x, y) = {definition.formula}.",
        **fields)
    return model


def sent_params(params: Strict) -> dict[str, Any]:
    """The parameters the client sent (an explicit null included: for some parameters it
    differs from absent), as core's parser reads them."""
    return {name: getattr(params, name) for name in type(params).model_fields
            if name in params.model_fields_set}


def kinds() -> Mapping[str, KindDef]:
    """Every registered kind, by name."""
    return REGISTRY
