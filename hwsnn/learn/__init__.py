"""Local learning rules (STDP family) for binary and low-precision synapses (needs torch)."""
