from django import forms

from .models import StaffProfile


class CodeForm(forms.Form):
    """A six-digit code from an authenticator app, checked against one device."""

    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text="Six digits. A new code appears every 30 seconds.",
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        allowed, _ = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(
                "Too many wrong codes in a row. Wait a minute, then try the newest code."
            )
        # verify_token also counts failures and slows down repeated guesses.
        if not (code.isdigit() and self.device.verify_token(code)):
            raise forms.ValidationError(
                "That code is not right. Check the time on your phone and try the newest code."
            )
        return code


class RecoveryCodeForm(forms.Form):
    """One of the printed recovery codes; each works once."""

    code = forms.CharField(
        label="Recovery code",
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
        help_text="One of the codes you printed or wrote down. Each works only once.",
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split()).lower()
        allowed, _ = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(
                "Too many wrong codes in a row. Wait a minute, then try again."
            )
        # verify_token removes the code it accepts, so it can never be used again.
        if not self.device.verify_token(code):
            raise forms.ValidationError("That recovery code is not right, or was used already.")
        return code


class ProfileForm(forms.ModelForm):
    class Meta:
        model = StaffProfile
        fields = ["time_zone"]
        labels = {"time_zone": "Your time zone"}
