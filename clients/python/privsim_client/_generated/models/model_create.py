from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.model_create_kind import ModelCreateKind, check_model_create_kind
from ..models.model_create_mechanism_type_0 import (
    ModelCreateMechanismType0,
    check_model_create_mechanism_type_0,
)
from ..models.model_create_rule_type_0 import (
    ModelCreateRuleType0,
    check_model_create_rule_type_0,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.budget import Budget
    from ..models.cauchy_kde_choice import CauchyKdeChoice
    from ..models.exponential_kde_choice import ExponentialKdeChoice
    from ..models.gaussian_kde_choice import GaussianKdeChoice
    from ..models.inner_product_choice import InnerProductChoice
    from ..models.l1_distance_choice import L1DistanceChoice
    from ..models.l2_distance_choice import L2DistanceChoice
    from ..models.laplace_kde_choice import LaplaceKdeChoice
    from ..models.reference_in import ReferenceIn
    from ..models.relu_nngp_choice import ReluNngpChoice
    from ..models.relu_ntk_choice import ReluNtkChoice
    from ..models.rff_baseline_choice import RffBaselineChoice
    from ..models.sq_l2_distance_choice import SqL2DistanceChoice
    from ..models.vmf_kde_choice import VmfKdeChoice


T = TypeVar("T", bound="ModelCreate")


@_attrs_define
class ModelCreate:
    """
    Attributes:
        kind (ModelCreateKind): classifier (a dataset with declared classes), regressor (a dataset with a declared
            label_range), or vmf (a von Mises-Fisher fit of the rows' directions)
        dataset_id (UUID):
        privacy (Budget):
        structure (CauchyKdeChoice | ExponentialKdeChoice | GaussianKdeChoice | InnerProductChoice | L1DistanceChoice |
            L2DistanceChoice | LaplaceKdeChoice | None | ReluNngpChoice | ReluNtkChoice | RffBaselineChoice |
            SqL2DistanceChoice | Unset | VmfKdeChoice): classifier and regressor: the structure each class (or the label-
            weighted sum) gets; any kernel kind, or inner_product for the cosine and vmf rules; the regressor needs a
            random-feature kernel. Not for vmf
        rule (ModelCreateRuleType0 | None | Unset): classifier: sum (Bayes with kernel-density class conditionals), mean
            (average similarity; the default for kernels), cosine (cosine to the noisy class sum; the default for
            inner_product) or vmf (a von Mises-Fisher density per class); regressor: nadaraya_watson
        mechanism (ModelCreateMechanismType0 | None | Unset): vmf only: the noise mechanism (default gaussian)
        reference (None | ReferenceIn | Unset): classifier, cosine rule only: public rows like the private ones (a
            public corpus through the same encoder, or the unlabelled points to classify); the noisy class sums are compared
            inside the directions where these rows vary enough for the class signal to beat the noise. Post-processing:
            spends nothing. Stored as principal directions, never as rows
    """

    kind: ModelCreateKind
    dataset_id: UUID
    privacy: Budget
    structure: (
        CauchyKdeChoice
        | ExponentialKdeChoice
        | GaussianKdeChoice
        | InnerProductChoice
        | L1DistanceChoice
        | L2DistanceChoice
        | LaplaceKdeChoice
        | None
        | ReluNngpChoice
        | ReluNtkChoice
        | RffBaselineChoice
        | SqL2DistanceChoice
        | Unset
        | VmfKdeChoice
    ) = UNSET
    rule: ModelCreateRuleType0 | None | Unset = UNSET
    mechanism: ModelCreateMechanismType0 | None | Unset = UNSET
    reference: None | ReferenceIn | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.cauchy_kde_choice import CauchyKdeChoice
        from ..models.exponential_kde_choice import ExponentialKdeChoice
        from ..models.gaussian_kde_choice import GaussianKdeChoice
        from ..models.inner_product_choice import InnerProductChoice
        from ..models.l1_distance_choice import L1DistanceChoice
        from ..models.l2_distance_choice import L2DistanceChoice
        from ..models.laplace_kde_choice import LaplaceKdeChoice
        from ..models.reference_in import ReferenceIn
        from ..models.relu_nngp_choice import ReluNngpChoice
        from ..models.relu_ntk_choice import ReluNtkChoice
        from ..models.rff_baseline_choice import RffBaselineChoice
        from ..models.sq_l2_distance_choice import SqL2DistanceChoice
        from ..models.vmf_kde_choice import VmfKdeChoice

        kind: str = self.kind

        dataset_id = str(self.dataset_id)

        privacy = self.privacy.to_dict()

        structure: dict[str, Any] | None | Unset
        if isinstance(self.structure, Unset):
            structure = UNSET
        elif (
            isinstance(self.structure, GaussianKdeChoice)
            or isinstance(self.structure, RffBaselineChoice)
            or isinstance(self.structure, SqL2DistanceChoice)
            or isinstance(self.structure, InnerProductChoice)
            or isinstance(self.structure, ExponentialKdeChoice)
            or isinstance(self.structure, LaplaceKdeChoice)
            or isinstance(self.structure, CauchyKdeChoice)
            or isinstance(self.structure, L1DistanceChoice)
            or isinstance(self.structure, L2DistanceChoice)
            or isinstance(self.structure, VmfKdeChoice)
            or isinstance(self.structure, ReluNngpChoice)
            or isinstance(self.structure, ReluNtkChoice)
        ):
            structure = self.structure.to_dict()
        else:
            structure = self.structure

        rule: None | str | Unset
        if isinstance(self.rule, Unset):
            rule = UNSET
        elif isinstance(self.rule, str):
            rule = self.rule
        else:
            rule = self.rule

        mechanism: None | str | Unset
        if isinstance(self.mechanism, Unset):
            mechanism = UNSET
        elif isinstance(self.mechanism, str):
            mechanism = self.mechanism
        else:
            mechanism = self.mechanism

        reference: dict[str, Any] | None | Unset
        if isinstance(self.reference, Unset):
            reference = UNSET
        elif isinstance(self.reference, ReferenceIn):
            reference = self.reference.to_dict()
        else:
            reference = self.reference

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "dataset_id": dataset_id,
                "privacy": privacy,
            }
        )
        if structure is not UNSET:
            field_dict["structure"] = structure
        if rule is not UNSET:
            field_dict["rule"] = rule
        if mechanism is not UNSET:
            field_dict["mechanism"] = mechanism
        if reference is not UNSET:
            field_dict["reference"] = reference

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.budget import Budget
        from ..models.cauchy_kde_choice import CauchyKdeChoice
        from ..models.exponential_kde_choice import ExponentialKdeChoice
        from ..models.gaussian_kde_choice import GaussianKdeChoice
        from ..models.inner_product_choice import InnerProductChoice
        from ..models.l1_distance_choice import L1DistanceChoice
        from ..models.l2_distance_choice import L2DistanceChoice
        from ..models.laplace_kde_choice import LaplaceKdeChoice
        from ..models.reference_in import ReferenceIn
        from ..models.relu_nngp_choice import ReluNngpChoice
        from ..models.relu_ntk_choice import ReluNtkChoice
        from ..models.rff_baseline_choice import RffBaselineChoice
        from ..models.sq_l2_distance_choice import SqL2DistanceChoice
        from ..models.vmf_kde_choice import VmfKdeChoice

        d = dict(src_dict)
        kind = check_model_create_kind(d.pop("kind"))

        dataset_id = UUID(d.pop("dataset_id"))

        privacy = Budget.from_dict(d.pop("privacy"))

        def _parse_structure(
            data: object,
        ) -> (
            CauchyKdeChoice
            | ExponentialKdeChoice
            | GaussianKdeChoice
            | InnerProductChoice
            | L1DistanceChoice
            | L2DistanceChoice
            | LaplaceKdeChoice
            | None
            | ReluNngpChoice
            | ReluNtkChoice
            | RffBaselineChoice
            | SqL2DistanceChoice
            | Unset
            | VmfKdeChoice
        ):
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                structure_type_0_type_0 = GaussianKdeChoice.from_dict(data)

                return structure_type_0_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                structure_type_0_type_1 = RffBaselineChoice.from_dict(data)

                return structure_type_0_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                structure_type_0_type_2 = SqL2DistanceChoice.from_dict(data)

                return structure_type_0_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                structure_type_0_type_3 = InnerProductChoice.from_dict(data)

                return structure_type_0_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                structure_type_0_type_4 = ExponentialKdeChoice.from_dict(data)

                return structure_type_0_type_4
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                structure_type_0_type_5 = LaplaceKdeChoice.from_dict(data)

                return structure_type_0_type_5
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                structure_type_0_type_6 = CauchyKdeChoice.from_dict(data)

                return structure_type_0_type_6
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                structure_type_0_type_7 = L1DistanceChoice.from_dict(data)

                return structure_type_0_type_7
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                structure_type_0_type_8 = L2DistanceChoice.from_dict(data)

                return structure_type_0_type_8
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                structure_type_0_type_9 = VmfKdeChoice.from_dict(data)

                return structure_type_0_type_9
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                structure_type_0_type_10 = ReluNngpChoice.from_dict(data)

                return structure_type_0_type_10
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                structure_type_0_type_11 = ReluNtkChoice.from_dict(data)

                return structure_type_0_type_11
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                CauchyKdeChoice
                | ExponentialKdeChoice
                | GaussianKdeChoice
                | InnerProductChoice
                | L1DistanceChoice
                | L2DistanceChoice
                | LaplaceKdeChoice
                | None
                | ReluNngpChoice
                | ReluNtkChoice
                | RffBaselineChoice
                | SqL2DistanceChoice
                | Unset
                | VmfKdeChoice,
                data,
            )

        structure = _parse_structure(d.pop("structure", UNSET))

        def _parse_rule(data: object) -> ModelCreateRuleType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                rule_type_0 = check_model_create_rule_type_0(data)

                return rule_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ModelCreateRuleType0 | None | Unset, data)

        rule = _parse_rule(d.pop("rule", UNSET))

        def _parse_mechanism(data: object) -> ModelCreateMechanismType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                mechanism_type_0 = check_model_create_mechanism_type_0(data)

                return mechanism_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ModelCreateMechanismType0 | None | Unset, data)

        mechanism = _parse_mechanism(d.pop("mechanism", UNSET))

        def _parse_reference(data: object) -> None | ReferenceIn | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                reference_type_0 = ReferenceIn.from_dict(data)

                return reference_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReferenceIn | Unset, data)

        reference = _parse_reference(d.pop("reference", UNSET))

        model_create = cls(
            kind=kind,
            dataset_id=dataset_id,
            privacy=privacy,
            structure=structure,
            rule=rule,
            mechanism=mechanism,
            reference=reference,
        )

        return model_create
