"""Use cases. Services take plain values, raise `services.errors`, and own the transaction."""
