import sys

from permkit.cli import main

sys.exit(main())
