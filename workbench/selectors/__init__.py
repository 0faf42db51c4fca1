"""The workbench's reads, one module per audience; each runs a fixed number of queries."""
