"""FilterSets for the lists of the workplace, one module per area. Every filter lives in the URL."""
