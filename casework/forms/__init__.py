"""Forms of the workplace, one module per area."""

from django.core.exceptions import ValidationError

from casework.concurrency import ConcurrentEditError, show_conflict


def apply_service_errors(form, error: ValidationError) -> None:
    """Show a service's validation error on the form, next to the field it concerns, or above the form.

    A concurrent edit (casework/concurrency.py) is shown with what the other person changed;
    the form then carries the current version, so saving again after checking goes through."""
    if isinstance(error, ConcurrentEditError) and hasattr(form, "version_names"):
        show_conflict(form, error)
        form.has_conflict = True
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
