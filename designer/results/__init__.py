"""What a design run returns: per-fabric results, the bill of materials and the content of
``design.json`` (``result``), and the sentences that explain a design (``explain``). Values
only; ``DesignResult.write`` hands them to :mod:`designer.outputs`."""
