from learnhub.runner.cli import main

main(prog_name="learnhub")
