from nnx_migrate.cli import main

main()
