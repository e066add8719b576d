"""The Heilongjiang demo package (``matchmaker/data/demo.json``) and its seeded generator.

``generate`` builds and writes the package; ``catalogue`` holds what it is made of (products,
leading firms, inputs), ``places`` where (cities, parks, risk counties), ``builder`` the record
builder that draws from the seeded random source, and ``scenarios`` the hand-built chains.
"""
