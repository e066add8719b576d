"""The Heilongjiang demo package (``matchmaker/data/demo.json``) and its seeded generator."""
