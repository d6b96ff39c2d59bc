"""Forms of the workplace, one module per area."""

from django.core.exceptions import ValidationError


def apply_service_errors(form, error: ValidationError) -> None:
    """Show a service's validation error on the form, next to the field it concerns, or above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
