from __future__ import annotations

from bcplint.cli import main

raise SystemExit(main())
