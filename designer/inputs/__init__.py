"""What comes in: the schema of catalog and demand files, safe YAML loading with every problem
named by key path, the merged catalog and its switch modes, the demand (and its variants), the
server port pools fabrics spend, and the checks of a demand against a catalog. Nothing here
knows about floors, models or solvers."""
