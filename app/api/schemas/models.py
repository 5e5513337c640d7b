"""Bodies of /v1/models: a classifier, regressor or vMF fit over a dataset, built like a
structure (one spend), answered by ``predict``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union
from uuid import UUID

from pydantic import Field, create_model, model_validator

from app.api.schemas.common import Budget, Id, Out, Strict
from app.api.schemas.kernels import model_name, sent_params
from app.api.schemas.structures import BUILD_MODELS, ErrorModel, PrivacyRead
from core.models.reference import MAX_REFERENCE_ROWS


class StructureChoice(Strict):
    """The structure every class gets: a ``kind`` and its typed ``params``
    (``GET /v1/kernels``); no privacy of its own (the model's is spent once)."""

    kind: str
    params: Strict

    def sent_params(self) -> dict[str, Any]:
        return sent_params(self.params)


def _choice(build: type[Strict]) -> type[StructureChoice]:
    fields = build.model_fields
    kind: Any = fields["kind"].annotation
    params: Any = fields["params"].annotation
    name = str(getattr(kind, "__args__", ("structure",))[0])
    model: type[StructureChoice] = create_model(
        f"{model_name(name)}Choice", __base__=StructureChoice,
        kind=(kind, Field(description="the structure kind")),
        params=(params, fields["params"]))
    return model


CHOICES = tuple(_choice(build) for build in BUILD_MODELS)

if TYPE_CHECKING:
    StructureOfModel = StructureChoice
else:
    StructureOfModel = Annotated[Union[CHOICES],  # noqa: UP007 (built from a tuple)
                                 Field(discriminator="kind")]

Rule = Literal["sum", "mean", "cosine", "vmf", "nadaraya_watson"]


class ReferenceIn(Strict):
    """Public rows, in the dataset's dimension (``MAX_REFERENCE_ROWS`` at most)."""

    points: list[list[float]] = Field(min_length=1, max_length=MAX_REFERENCE_ROWS)


class ModelCreate(Strict):
    kind: Literal["classifier", "regressor", "vmf"] = Field(description=(
        "classifier (a dataset with declared classes), regressor (a dataset with a "
        "declared label_range), or vmf (a von Mises-Fisher fit of the rows' directions)"))
    dataset_id: Id
    structure: StructureOfModel | None = Field(default=None, description=(
        "classifier and regressor: the structure each class (or the label-weighted sum) "
        "gets; any kernel kind, or inner_product for the cosine and vmf rules; the "
        "regressor needs a random-feature kernel. Not for vmf"))
    rule: Rule | None = Field(default=None, description=(
        "classifier: sum (Bayes with kernel-density class conditionals), mean (average "
        "similarity; the default for kernels), cosine (cosine to the noisy class sum; the "
        "default for inner_product) or vmf (a von Mises-Fisher density per class); "
        "regressor: nadaraya_watson"))
    mechanism: Literal["gaussian", "laplace"] | None = Field(
        default=None, description="vmf only: the noise mechanism (default gaussian)")
    reference: ReferenceIn | None = Field(default=None, description=(
        "classifier, cosine rule only: public rows like the private ones (a public "
        "corpus through the same encoder, or the unlabelled points to classify); the "
        "noisy class sums are compared inside the directions where these rows vary "
        "enough for the class signal to beat the noise. Post-processing: spends "
        "nothing. Stored as principal directions, never as rows"))
    privacy: Budget

    @model_validator(mode="after")
    def _fields_of_the_kind(self) -> ModelCreate:
        if self.kind == "vmf" and (self.structure is not None or self.rule is not None):
            raise ValueError("a vmf fit takes neither structure nor rule")
        if self.kind != "vmf" and self.mechanism is not None:
            raise ValueError("mechanism is for vmf only: a classifier's or regressor's "
                             "mechanism is its structure's params.mechanism")
        if self.reference is not None and self.kind != "classifier":
            raise ValueError("reference is for a classifier with the cosine rule")
        if self.kind != "vmf" and self.structure is None:
            raise ValueError(f"a {self.kind} needs a structure: {{kind, params}}")
        return self

    def params(self) -> dict[str, Any]:
        """The model's params as core reads them."""
        if self.kind == "vmf":
            return {} if self.mechanism is None else {"mechanism": self.mechanism}
        out: dict[str, Any] = {}
        if self.rule is not None:
            out["rule"] = self.rule
        if self.structure is not None:
            out["structure"] = {"kind": self.structure.kind,
                                "params": self.structure.sent_params()}
        if self.reference is not None:
            out["reference"] = {"points": self.reference.points}
        return out


class ModelAccepted(Out):
    model_id: UUID
    job_id: UUID
    status_url: str
    job_url: str
    warnings: list[str] = Field(default_factory=list)


class ModelRead(Out):
    id: UUID
    dataset_id: UUID
    kind: str
    params: dict[str, Any] = Field(description="the rule and the structure's parameters, "
                                   "every default filled in")
    seed: str = Field(description="seed of the public randomness (may be published)")
    privacy: PrivacyRead
    status: str
    error_model: ErrorModel | None = Field(description="once ready: one class's structure's "
                                           "noise and approximation figures")
    size_bytes: int | None
    job_id: UUID | None
    created_at: datetime
    ready_at: datetime | None


class PredictIn(Strict):
    points: list[list[float]] = Field(min_length=1)


class PredictOut(Out):
    labels: list[int] | None = Field(default=None, description="classifier: the most likely "
                                     "class of each point")
    scores: list[list[float]] | None = Field(default=None, description=(
        "classifier: per point, the probability of each declared class (in the order of "
        "the dataset's classes), from answers floored at their noise std"))
    classes: list[int] | None = Field(default=None, description="classifier: the classes, "
                                      "in the order of the scores")
    values: list[float] | None = Field(default=None, description=(
        "regressor: the Nadaraya-Watson prediction; vmf: the log density"))
    std: list[float] | None = Field(default=None, description="std of each value from the "
                                    "privacy noise (first order)")
