"""The Heilongjiang demo package (``matchmaker/data/demo.json``) and its seeded generator.

``generate`` builds and writes the package; ``catalogue`` holds what it is made of (kinds of
firm, leading firms, the suppliers each kind buys from), ``goods`` the products (what each kind
makes, what each buyer buys, substitutes, industries, prices, quantities), ``places`` where
(cities, parks, risk counties), ``builder`` the record builder that draws from the seeded
random source, and ``scenarios`` the hand-built chains.
"""
