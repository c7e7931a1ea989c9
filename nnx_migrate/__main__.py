from nnx_migrate.cli import process_main

process_main()
