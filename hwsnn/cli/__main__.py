"""``python -m hwsnn.cli``."""

import sys

from hwsnn.cli import main

sys.exit(main())
