from newsdesk.cli import main

raise SystemExit(main())
