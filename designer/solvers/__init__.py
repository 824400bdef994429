"""Solving a built model: the solver strategies behind one contract
(:mod:`~designer.solvers.strategies`), one status (:class:`~designer.solvers.status.SolveStatus`)
and one report, and the budget's two phases (:mod:`~designer.solvers.solve`)."""
