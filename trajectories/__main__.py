"""Entry point of ``python -m trajectories``."""

import sys

from trajectories.cli import main

sys.exit(main())
