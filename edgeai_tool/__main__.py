"""`python -m edgeai_tool` is the `edgeai` command."""

from edgeai_tool.cli import main

raise SystemExit(main())
