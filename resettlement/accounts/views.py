"""Signing in with a password: Django's view, behind the sign-in throttle."""

from django.contrib.auth import views as auth_views

from resettlement.accounts.forms import LoginForm
from resettlement.accounts.signin import sign_in_refusal


class SignInView(auth_views.LoginView):
    """A sign-in refused by the throttle answers 429 with the page and why, before the password
    is checked at all (the right one is refused too, and costs no hashing)."""

    authentication_form = LoginForm

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        refusal = sign_in_refusal(request, username)
        if not refusal:
            return super().post(request, *args, **kwargs)
        form = self.get_form_class()(request, initial={"username": username[:150]})
        context = self.get_context_data(form=form, refusal=refusal)
        return self.render_to_response(context, status=429)
