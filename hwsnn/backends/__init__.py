"""Hardware backends: one subpackage per target family (``lava``, ``crossbar``, ``spice``).

Each backend maps an :class:`hwsnn.ir.Graph` to an artifact for its target. Backends import their
simulator (Lava, PySpice, ...) only when used, so importing this package stays cheap.
"""
