"""``python -m course.questions``: regenerate learners' copies (see ``generate``)."""

import sys

from course.questions.generate import _main

sys.exit(_main())
