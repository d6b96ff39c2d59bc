"""Forms of the workplace, one module per area."""
