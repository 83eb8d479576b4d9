"""Allow `python -m mockloop`."""

from mockloop.cli import main

raise SystemExit(main())
