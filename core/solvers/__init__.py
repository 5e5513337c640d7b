"""Solvers on public data, DP-synthetic data or weights taken from released DP
structures, never on private rows: entropic optimal transport by Sinkhorn-Newton-Sparse
(``ot``), kernel ridge and GP regression by preconditioned conjugate gradients
(``kernel_regression``), and least-squares designs by determinantal point processes and
volume sampling (``design``). Every iterative solver has an iteration and a time cap and
reports non-convergence in its result."""
