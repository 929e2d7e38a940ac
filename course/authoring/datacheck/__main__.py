"""``python -m course.authoring.datacheck``: check data/ (see the package's docstring)."""

import sys

from course.authoring.datacheck import main

sys.exit(main())
