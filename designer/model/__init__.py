"""The mathematics of a fabric: the vocabulary (``links``), candidate building blocks and media
(``candidates``, ``media``, ``nodelinks``), capacity bounds, energy pricing and latency, the
MILP (``formulation``, one module per constraint family) and the solved structure with every
count and cost recomputed from it (``structure``)."""
