"""Views of the caseworker's workplace, one module per area of the navigation."""
