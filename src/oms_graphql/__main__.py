from oms_graphql.cli import main

raise SystemExit(main())
