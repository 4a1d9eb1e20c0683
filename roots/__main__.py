import sys

from roots.cli import main

sys.exit(main())
