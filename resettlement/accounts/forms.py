from django.contrib.auth.forms import AuthenticationForm

from resettlement.forms import BrowserInputs

LOGIN_ERROR_ID = "login-error"


class LoginForm(BrowserInputs, AuthenticationForm):
    """Django's sign-in form whose refusal is tied to both inputs: they are marked invalid and
    described by the error (the page's element `LOGIN_ERROR_ID`), so a screen reader says
    why on the field it returns to."""

    error_id = LOGIN_ERROR_ID

    def full_clean(self):
        super().full_clean()
        if self.errors:
            for name in ("username", "password"):
                attrs = self.fields[name].widget.attrs
                attrs.update({"aria-invalid": "true", "aria-describedby": self.error_id})
