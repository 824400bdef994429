"""Many designs at once, computed (their files are :mod:`designer.outputs`'): a sweep of one
fabric along an axis (``sweep``), and the seed's three ways to run training and inference on
one site (``compare``)."""
