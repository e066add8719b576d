"""`python -m matchmaker ...`: the same command line as the `matchmaker` console script."""
from matchmaker.cli import main

main()
