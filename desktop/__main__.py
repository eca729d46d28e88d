"""``python -m desktop``: the same as the ``stdaward`` console script."""
import sys

from desktop.cli import main

sys.exit(main())
