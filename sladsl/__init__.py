"""sladsl: service level agreements as code.

The stages are in `sladsl.api`: parse -> check -> (evaluate | render | compile).
"""

__version__ = "0.1.0"
