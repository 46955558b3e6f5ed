try:
    from seminarbot.cli import main
except KeyboardInterrupt:  # a Ctrl-C in the first moment: a stop, as one after (cli.main)
    from seminarbot.cli import stopped_early

    raise SystemExit(stopped_early(None, 2)) from None  # 2: SIGINT

raise SystemExit(main())
