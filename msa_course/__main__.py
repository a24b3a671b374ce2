"""`python -m msa_course` is `msa-course`."""

import sys

from msa_course.cli import main

sys.exit(main())
