from nuem.cli import main

main()
