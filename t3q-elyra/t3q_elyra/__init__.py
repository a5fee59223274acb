"""t3q_elyra: t3q-compile behind Elyra's pipeline processor interfaces.

Importing the package does nothing; Elyra loads t3q_elyra.schema and
t3q_elyra.processor through their entry points.
"""
__version__ = "0.1.0"
