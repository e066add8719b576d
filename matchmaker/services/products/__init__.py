"""Products: finding one in the catalogue (the product picker's type-ahead and the products API).

- :mod:`.index`: the in-memory search index (pure: names, aliases, pinyin, codes; ranked);
- :mod:`.search`: the use case over the stored catalogue, with the per-process index cache;
- :mod:`.names`: every product's names and unit in one query (labels on pages).
"""
from matchmaker.services.products.names import product_names
from matchmaker.services.products.search import (INDEX_TTL_SECONDS, find_product, get_product, invalidate_index,
                                                 search_products)

__all__ = ["INDEX_TTL_SECONDS", "find_product", "get_product", "invalidate_index", "product_names",
           "search_products"]
