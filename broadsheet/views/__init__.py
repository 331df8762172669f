"""Page kinds: one module per family, each declaring what its pages read (`inputs`) and
building their template data from exactly that (`context`). `shared` holds the views
they share and the `PageInputs`/`Shown` contract; `render.KINDS` maps a route's kind to
its module."""
