"""``python -m runners.swebench``."""

import sys

from runners.swebench.run import main

if __name__ == "__main__":
    sys.exit(main())
