from visionscope.cli import main

main()
