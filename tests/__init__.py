"""The test suite. Imported before any conftest or test module, hence this:

Bytecode caches are written even where PYTHONDONTWRITEBYTECODE is set (container
images often set it). Each test process writes the `tui` and test modules it
compiles to __pycache__ (ignored by git), so the hundreds of `number-wizard`
processes the end-to-end tests start read them instead of compiling the package
each time (up to 0.2 s of CPU each; 7 s of CPU in the end-to-end tests), and the
next run's assertion rewriting is read back too (collection 6 s -> 2 s of CPU per
worker). The processes the tests start still obey the variable: they only read.
"""

import sys

sys.dont_write_bytecode = False
