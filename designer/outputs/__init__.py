"""Writers of a design's files: each module writes one kind of file from a result.

:func:`designer.outputs.write.write_all` writes them all at once into a staged folder
(:mod:`designer.staging`); the study writers (``sweep_files``, ``compare_files``) do the same for
``design sweep`` and ``design compare``.
"""
