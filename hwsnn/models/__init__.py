"""The five papers' models and their training recipes (needs torch; import submodules).

* :mod:`hwsnn.models.ttfs` (+ ``ttfs_train``): temporal-coded n-LIF network, paper 003.
* :mod:`hwsnn.models.bntt`: Batch Normalization Through Time and early exit, paper 004.
* :mod:`hwsnn.models.softlif`: soft-LIF rate training and LIF + alpha conversion, paper 001.
* :mod:`hwsnn.models.hbstdp`: ReStoCNet binary kernels learned by HB-STDP, paper 002.
* :mod:`hwsnn.models.safe`: SAFE-DNN spiking front-end with the SAU, paper 000.
* :mod:`hwsnn.models.recipes`: ``RECIPES[method](RecipeOptions) -> Outcome`` for ``hwsnn train``.

Nothing is imported here, so ``import hwsnn.models`` stays cheap.
"""
