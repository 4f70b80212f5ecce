"""selectors of the inspections app, one module per area; import from the module, not from the package."""
