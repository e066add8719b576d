"""marshmallow 4 schemas of the REST API: input (`<Thing>CreateSchema`, `<Thing>UpdateSchema`,
`<Thing>QueryArgsSchema`) and output (`<Thing>Schema`), using the data-package field names."""
