"""The comment form, as the page renders it (templates/comments/_form.html) and the view
checks it. Fields are plain so that the cached page can carry the form without a token."""

from __future__ import annotations

from django import forms
from django.core.validators import URLValidator

MAX_CHARS = 5000
HONEYPOT = "homepage"  # hidden from people by CSS; a bot that fills it is ignored


class CommentForm(forms.Form):
    kind = forms.ChoiceField(choices=[("story", "story"), ("article", "article")])
    target = forms.IntegerField(min_value=1)
    parent = forms.IntegerField(min_value=1, required=False)
    stamp = forms.CharField(max_length=100)
    name = forms.CharField(max_length=80, strip=True)
    email = forms.EmailField(required=False, max_length=254)
    website = forms.URLField(
        required=False,
        max_length=200,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
    )
    text = forms.CharField(max_length=MAX_CHARS, strip=True)
    homepage = forms.CharField(required=False)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Please give a name.")
        return name


class EditForm(forms.Form):
    text = forms.CharField(max_length=MAX_CHARS, strip=True)


class ForgetForm(forms.Form):
    email = forms.EmailField(max_length=254)
