"""一件事 bundles (domain.md §2.14): one application, one set of materials, a child case per member item."""
