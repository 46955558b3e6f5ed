from seminarbot.cli import main

raise SystemExit(main())
