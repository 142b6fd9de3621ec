"""Control run for the BNTT report: the recipe's defaults with another gamma decay.

    OMP_NUM_THREADS=1 .venv/bin/python reports/models/bntt_control.py GAMMA_DECAY OUT.json [SIM_LIMIT]

Same data (6000 train incl. 20 % held out, 5000 test), seed 0 and configuration as
``hwsnn train bntt --dataset fashion-mnist --limit-train 6000 --limit-test 5000``, except
``gamma_decay`` (e.g. paper 004's plain 5e-4) and sim.float on SIM_LIMIT (200) test samples.
"""

import dataclasses
import json
import sys

import torch

from hwsnn.models.bntt_recipe import BnttConfig, run_bntt
from hwsnn.models.recipes import RecipeOptions

torch.set_num_threads(1)
gd, out = float(sys.argv[1]), sys.argv[2]
sim_limit = int(sys.argv[3]) if len(sys.argv) > 3 else 200
opts = RecipeOptions(dataset="fashion-mnist", limit_train=6000, limit_test=5000)
cfg = dataclasses.replace(BnttConfig(), gamma_decay=gd, sim_limit=sim_limit)
res = run_bntt(opts, cfg).results
res["method"] = "bntt"
res["options"] = vars(opts)
res["command"] = f"python reports/models/bntt_control.py {' '.join(sys.argv[1:])}"
with open(out, "w") as f:
    json.dump(res, f, indent=2, default=str)
