import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

FIXTURES = os.path.join(ROOT, "tests", "fixtures")
SAMPLE_PACK = os.path.join(FIXTURES, "packs", "sample")
PLAIN_PROGRAM = os.path.join(FIXTURES, "programs", "plain")
