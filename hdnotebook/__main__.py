"""``python -m hdnotebook <command>``: the command line (see ``hdnotebook.cli``)."""

import sys

from hdnotebook.cli import main

sys.exit(main())
