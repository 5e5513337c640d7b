"""Contains all the data models used in inputs/outputs"""

from .amount import Amount
from .audit_event_read import AuditEventRead
from .audit_event_read_details import AuditEventReadDetails
from .audit_read import AuditRead
from .bandwidth_in import BandwidthIn
from .bandwidth_in_mechanism import BandwidthInMechanism
from .bandwidth_out import BandwidthOut
from .bandwidth_out_regime import BandwidthOutRegime
from .basis import Basis
from .basis_kind import BasisKind
from .box_domain import BoxDomain
from .budget import Budget
from .budget_read import BudgetRead
from .cauchy_kde_build import CauchyKdeBuild
from .cauchy_kde_choice import CauchyKdeChoice
from .cauchy_kde_params import CauchyKdeParams
from .cauchy_kde_params_frequencies_type_0 import CauchyKdeParamsFrequenciesType0
from .cauchy_kde_params_mechanism_type_0 import CauchyKdeParamsMechanismType0
from .cauchy_kde_params_metric_input_type_0 import CauchyKdeParamsMetricInputType0
from .cauchy_kde_params_precision_type_0 import CauchyKdeParamsPrecisionType0
from .dataset_create import DatasetCreate
from .dataset_create_accounting_type_0 import DatasetCreateAccountingType0
from .dataset_create_neighbouring import DatasetCreateNeighbouring
from .dataset_create_on_out_of_domain import DatasetCreateOnOutOfDomain
from .dataset_page import DatasetPage
from .dataset_read import DatasetRead
from .dataset_read_domain import DatasetReadDomain
from .design_in import DesignIn
from .design_in_method_type_0 import DesignInMethodType0
from .design_out import DesignOut
from .design_out_mode import DesignOutMode
from .error_model import ErrorModel
from .error_model_details import ErrorModelDetails
from .estimate_cost import EstimateCost
from .estimate_error import EstimateError
from .estimate_out import EstimateOut
from .estimate_out_params import EstimateOutParams
from .expectation_in import ExpectationIn
from .expectation_out import ExpectationOut
from .expectation_out_kernel import ExpectationOutKernel
from .exponential_kde_build import ExponentialKdeBuild
from .exponential_kde_choice import ExponentialKdeChoice
from .exponential_kde_params import ExponentialKdeParams
from .exponential_kde_params_frequencies_type_0 import (
    ExponentialKdeParamsFrequenciesType0,
)
from .exponential_kde_params_mechanism_type_0 import ExponentialKdeParamsMechanismType0
from .exponential_kde_params_precision_type_0 import ExponentialKdeParamsPrecisionType0
from .gaussian_kde_build import GaussianKdeBuild
from .gaussian_kde_choice import GaussianKdeChoice
from .gaussian_kde_params import GaussianKdeParams
from .gaussian_kde_params_frequencies_type_0 import GaussianKdeParamsFrequenciesType0
from .gaussian_kde_params_mechanism_type_0 import GaussianKdeParamsMechanismType0
from .gaussian_kde_params_precision_type_0 import GaussianKdeParamsPrecisionType0
from .grant_create import GrantCreate
from .grant_read import GrantRead
from .healthz_response_healthz import HealthzResponseHealthz
from .inner_product_build import InnerProductBuild
from .inner_product_choice import InnerProductChoice
from .inner_product_params import InnerProductParams
from .inner_product_params_mechanism_type_0 import InnerProductParamsMechanismType0
from .job_read import JobRead
from .job_read_status import JobReadStatus
from .kernel_catalog import KernelCatalog
from .kernel_in import KernelIn
from .kernel_in_params import KernelInParams
from .kernel_read import KernelRead
from .kernel_read_example_params import KernelReadExampleParams
from .kernel_regression_in import KernelRegressionIn
from .kernel_regression_in_method import KernelRegressionInMethod
from .kernel_regression_in_preconditioner import KernelRegressionInPreconditioner
from .kernel_regression_out import KernelRegressionOut
from .kernel_regression_out_loo_method_type_0 import KernelRegressionOutLooMethodType0
from .key_create import KeyCreate
from .key_created import KeyCreated
from .key_page import KeyPage
from .key_read import KeyRead
from .key_self import KeySelf
from .l1_distance_build import L1DistanceBuild
from .l1_distance_choice import L1DistanceChoice
from .l1_distance_params import L1DistanceParams
from .l1_distance_params_estimator_type_0 import L1DistanceParamsEstimatorType0
from .l1_distance_params_mechanism_type_0 import L1DistanceParamsMechanismType0
from .l2_ball_domain import L2BallDomain
from .l2_distance_build import L2DistanceBuild
from .l2_distance_choice import L2DistanceChoice
from .l2_distance_params import L2DistanceParams
from .l2_distance_params_estimator_type_0 import L2DistanceParamsEstimatorType0
from .l2_distance_params_mechanism_type_0 import L2DistanceParamsMechanismType0
from .laplace_kde_build import LaplaceKdeBuild
from .laplace_kde_choice import LaplaceKdeChoice
from .laplace_kde_params import LaplaceKdeParams
from .laplace_kde_params_mechanism_type_0 import LaplaceKdeParamsMechanismType0
from .laplace_kde_params_precision_type_0 import LaplaceKdeParamsPrecisionType0
from .ledger_entry_read import LedgerEntryRead
from .ledger_entry_read_entry import LedgerEntryReadEntry
from .ledger_entry_read_mechanism import LedgerEntryReadMechanism
from .ledger_read import LedgerRead
from .model_accepted import ModelAccepted
from .model_create import ModelCreate
from .model_create_kind import ModelCreateKind
from .model_create_mechanism_type_0 import ModelCreateMechanismType0
from .model_create_rule_type_0 import ModelCreateRuleType0
from .model_read import ModelRead
from .model_read_params import ModelReadParams
from .model_targets import ModelTargets
from .ot_in import OtIn
from .ot_in_metric import OtInMetric
from .ot_out import OtOut
from .param_read import ParamRead
from .param_read_type import ParamReadType
from .predict_json_predict_in import PredictJsonPredictIn
from .predict_out import PredictOut
from .privacy_read import PrivacyRead
from .privacy_read_statistics_item import PrivacyReadStatisticsItem
from .problem import Problem
from .quality_in import QualityIn
from .query_out import QueryOut
from .query_out_reduce import QueryOutReduce
from .query_structure_json_query_in import QueryStructureJsonQueryIn
from .query_structure_json_query_in_reduce import QueryStructureJsonQueryInReduce
from .query_structure_reduce_type_0 import QueryStructureReduceType0
from .readyz_response_readyz import ReadyzResponseReadyz
from .reference_in import ReferenceIn
from .relu_nngp_build import ReluNngpBuild
from .relu_nngp_choice import ReluNngpChoice
from .relu_nngp_params import ReluNngpParams
from .relu_nngp_params_mechanism_type_0 import ReluNngpParamsMechanismType0
from .relu_ntk_build import ReluNtkBuild
from .relu_ntk_choice import ReluNtkChoice
from .relu_ntk_params import ReluNtkParams
from .relu_ntk_params_mechanism_type_0 import ReluNtkParamsMechanismType0
from .remaining import Remaining
from .rff_baseline_build import RffBaselineBuild
from .rff_baseline_choice import RffBaselineChoice
from .rff_baseline_params import RffBaselineParams
from .role import Role
from .rows_accepted import RowsAccepted
from .rows_purged import RowsPurged
from .solve_accepted import SolveAccepted
from .solve_read import SolveRead
from .solve_read_stage import SolveReadStage
from .spend import Spend
from .sq_l2_distance_build import SqL2DistanceBuild
from .sq_l2_distance_choice import SqL2DistanceChoice
from .sq_l2_distance_params import SqL2DistanceParams
from .sq_l2_distance_params_mechanism_type_0 import SqL2DistanceParamsMechanismType0
from .structure_accepted import StructureAccepted
from .structure_page import StructurePage
from .structure_read import StructureRead
from .structure_read_params import StructureReadParams
from .structure_weights import StructureWeights
from .student_t import StudentT
from .upload_rows_json_body import UploadRowsJsonBody
from .vmf_kde_build import VmfKdeBuild
from .vmf_kde_choice import VmfKdeChoice
from .vmf_kde_params import VmfKdeParams
from .vmf_kde_params_frequencies_type_0 import VmfKdeParamsFrequenciesType0
from .vmf_kde_params_mechanism_type_0 import VmfKdeParamsMechanismType0
from .vmf_kde_params_precision_type_0 import VmfKdeParamsPrecisionType0

__all__ = (
    "Amount",
    "AuditEventRead",
    "AuditEventReadDetails",
    "AuditRead",
    "BandwidthIn",
    "BandwidthInMechanism",
    "BandwidthOut",
    "BandwidthOutRegime",
    "Basis",
    "BasisKind",
    "BoxDomain",
    "Budget",
    "BudgetRead",
    "CauchyKdeBuild",
    "CauchyKdeChoice",
    "CauchyKdeParams",
    "CauchyKdeParamsFrequenciesType0",
    "CauchyKdeParamsMechanismType0",
    "CauchyKdeParamsMetricInputType0",
    "CauchyKdeParamsPrecisionType0",
    "DatasetCreate",
    "DatasetCreateAccountingType0",
    "DatasetCreateNeighbouring",
    "DatasetCreateOnOutOfDomain",
    "DatasetPage",
    "DatasetRead",
    "DatasetReadDomain",
    "DesignIn",
    "DesignInMethodType0",
    "DesignOut",
    "DesignOutMode",
    "ErrorModel",
    "ErrorModelDetails",
    "EstimateCost",
    "EstimateError",
    "EstimateOut",
    "EstimateOutParams",
    "ExpectationIn",
    "ExpectationOut",
    "ExpectationOutKernel",
    "ExponentialKdeBuild",
    "ExponentialKdeChoice",
    "ExponentialKdeParams",
    "ExponentialKdeParamsFrequenciesType0",
    "ExponentialKdeParamsMechanismType0",
    "ExponentialKdeParamsPrecisionType0",
    "GaussianKdeBuild",
    "GaussianKdeChoice",
    "GaussianKdeParams",
    "GaussianKdeParamsFrequenciesType0",
    "GaussianKdeParamsMechanismType0",
    "GaussianKdeParamsPrecisionType0",
    "GrantCreate",
    "GrantRead",
    "HealthzResponseHealthz",
    "InnerProductBuild",
    "InnerProductChoice",
    "InnerProductParams",
    "InnerProductParamsMechanismType0",
    "JobRead",
    "JobReadStatus",
    "KernelCatalog",
    "KernelIn",
    "KernelInParams",
    "KernelRead",
    "KernelReadExampleParams",
    "KernelRegressionIn",
    "KernelRegressionInMethod",
    "KernelRegressionInPreconditioner",
    "KernelRegressionOut",
    "KernelRegressionOutLooMethodType0",
    "KeyCreate",
    "KeyCreated",
    "KeyPage",
    "KeyRead",
    "KeySelf",
    "L1DistanceBuild",
    "L1DistanceChoice",
    "L1DistanceParams",
    "L1DistanceParamsEstimatorType0",
    "L1DistanceParamsMechanismType0",
    "L2BallDomain",
    "L2DistanceBuild",
    "L2DistanceChoice",
    "L2DistanceParams",
    "L2DistanceParamsEstimatorType0",
    "L2DistanceParamsMechanismType0",
    "LaplaceKdeBuild",
    "LaplaceKdeChoice",
    "LaplaceKdeParams",
    "LaplaceKdeParamsMechanismType0",
    "LaplaceKdeParamsPrecisionType0",
    "LedgerEntryRead",
    "LedgerEntryReadEntry",
    "LedgerEntryReadMechanism",
    "LedgerRead",
    "ModelAccepted",
    "ModelCreate",
    "ModelCreateKind",
    "ModelCreateMechanismType0",
    "ModelCreateRuleType0",
    "ModelRead",
    "ModelReadParams",
    "ModelTargets",
    "OtIn",
    "OtInMetric",
    "OtOut",
    "ParamRead",
    "ParamReadType",
    "PredictJsonPredictIn",
    "PredictOut",
    "PrivacyRead",
    "PrivacyReadStatisticsItem",
    "Problem",
    "QualityIn",
    "QueryOut",
    "QueryOutReduce",
    "QueryStructureJsonQueryIn",
    "QueryStructureJsonQueryInReduce",
    "QueryStructureReduceType0",
    "ReadyzResponseReadyz",
    "ReferenceIn",
    "ReluNngpBuild",
    "ReluNngpChoice",
    "ReluNngpParams",
    "ReluNngpParamsMechanismType0",
    "ReluNtkBuild",
    "ReluNtkChoice",
    "ReluNtkParams",
    "ReluNtkParamsMechanismType0",
    "Remaining",
    "RffBaselineBuild",
    "RffBaselineChoice",
    "RffBaselineParams",
    "Role",
    "RowsAccepted",
    "RowsPurged",
    "SolveAccepted",
    "SolveRead",
    "SolveReadStage",
    "Spend",
    "SqL2DistanceBuild",
    "SqL2DistanceChoice",
    "SqL2DistanceParams",
    "SqL2DistanceParamsMechanismType0",
    "StructureAccepted",
    "StructurePage",
    "StructureRead",
    "StructureReadParams",
    "StructureWeights",
    "StudentT",
    "UploadRowsJsonBody",
    "VmfKdeBuild",
    "VmfKdeChoice",
    "VmfKdeParams",
    "VmfKdeParamsFrequenciesType0",
    "VmfKdeParamsMechanismType0",
    "VmfKdeParamsPrecisionType0",
)
