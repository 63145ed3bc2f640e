"""Comment views. Only ``post`` takes a form from a cached page, so only it is exempt from
Django's CSRF token check (and checks the request's origin instead); every other form here
is on a page made for one reader and carries Django's token as usual."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from newsdesk.comments import addresses, avatars, origin, service, tasks, throttle, tokens
from newsdesk.comments.forms import HONEYPOT, CommentForm, EditForm, ForgetForm
from newsdesk.comments.models import Comment, Status
from newsdesk.site.publish import base_url
from newsdesk.stories.models import Article, Story

OWN_IDS_KEPT = 20
TOO_FAST = "That was quick. Please read your comment over, then send it again."


class SeeOther(HttpResponseRedirect):
    """303: after a POST, the browser fetches the page with GET."""

    status_code = 303


def _message(
    request: HttpRequest, status: int, title: str, text: str, link: str = ""
) -> HttpResponse:
    context = {"title": title, "text": text, "link": link}
    return render(request, "comments/message.html", context, status=status)


def _target(kind: str, pk: int) -> service.Target:
    if kind == "story":
        return get_object_or_404(Story, pk=pk)
    return get_object_or_404(Article, pk=pk)


def _window_seconds() -> int:
    return int(service.edit_window().total_seconds())


def _own_ids(request: HttpRequest) -> set[int]:
    return tokens.edit_ids(request.COOKIES.get(tokens.EDIT_COOKIE), _window_seconds())


def _remember(request: HttpRequest, response: HttpResponse, comment_id: int) -> None:
    """The signed list of this browser's recent comments, set on the POST's response only
    (a page that sets a cookie could not be cached)."""
    ids = sorted(_own_ids(request) | {comment_id})[-OWN_IDS_KEPT:]
    response.set_cookie(
        tokens.EDIT_COOKIE,
        tokens.edit_cookie(ids),
        max_age=_window_seconds(),
        path="/",
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


def _back(comment: Comment) -> SeeOther:
    """To the comment's page, with a signed notice for its author (a URL with a query
    string is never answered from the page cache)."""
    url = comment.target_url()
    return SeeOther(f"{url}?posted={tokens.posted(comment.pk)}#comment-{comment.pk}")


def _form_page(
    request: HttpRequest,
    form: CommentForm | None,
    target: service.Target,
    parent: Comment | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "kind": service.kind_of(target),
        "target_id": target.pk,
        "page_title": target.title,
        "page_url": target.get_absolute_url(),
        "parent": service.comment_data(parent) if parent else None,
    }
    return render(request, "comments/form_page.html", context, status=status)


def _too_many(request: HttpRequest, wait: int) -> HttpResponse:
    response = _message(
        request, 429, "Too many comments", "Please wait a little before sending another one."
    )
    response["Retry-After"] = str(wait)
    return response


class RefusedError(Exception):
    """A comment turned away, with the answer the reader gets."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


@csrf_exempt
@require_POST
def post(request: HttpRequest) -> HttpResponse:
    """Take a comment from the form under a story or article.

    Exempt from Django's CSRF check because that form is on pages sent from the page cache
    (by nginx too) to every reader, so it cannot hold a per-visitor token, and a page that
    set the CSRF cookie could not be cached. Cross-site forgeries are refused by the
    request's Sec-Fetch-Site, Origin or Referer header instead (origin.py), before anything
    is read or counted. The form's signed time stamp, its honeypot field, the per-address
    limits and the spam score do the rest."""
    if not service.enabled():
        raise Http404("comments are off")
    try:
        return _take(request)
    except RefusedError as refused:
        return refused.response


def _take(request: HttpRequest) -> HttpResponse:
    if not origin.same_origin(request):
        raise RefusedError(
            _message(
                request,
                403,
                "Not sent from this site",
                "This form only takes comments sent from this site's own pages.",
            )
        )
    now = timezone.now()
    network = addresses.truncate(addresses.client_ip(request))
    wait = throttle.hit(f"post:{network}", now)
    if wait:
        raise RefusedError(_too_many(request, wait))
    kind, pk = request.POST.get("kind", ""), request.POST.get("target", "")
    if kind not in service.KINDS or not pk.isdigit():
        raise RefusedError(_message(request, 400, "Comment not sent", "The form was incomplete."))
    target = _target(kind, int(pk))
    if request.POST.get(HONEYPOT):  # a bot: it is told all went well and nothing is kept
        return SeeOther(target.get_absolute_url() + "#comments")
    form = CommentForm(request.POST)
    if not form.is_valid():
        raise RefusedError(_form_page(request, form, target, status=400))
    data = form.cleaned_data
    parent = _parent(request, target, data["parent"], now)
    age = tokens.stamp_age(data["stamp"], now)
    if age is None or age < int(service.conf("MIN_SECONDS")):
        form.add_error(None, TOO_FAST)
        raise RefusedError(_form_page(request, form, target, parent, status=400))
    comment = service.submit(
        target,
        parent=parent,
        name=data["name"],
        email=data["email"],
        website=data["website"],
        text=data["text"],
        ip=network,
        now=now,
    )
    if comment.status == Status.PENDING:
        tasks.notify_moderators(comment.pk, base_url(request))
    response = _back(comment)
    _remember(request, response, comment.pk)
    return response


def _parent(
    request: HttpRequest, target: service.Target, parent_id: int | None, now: datetime
) -> Comment | None:
    """The comment being answered, once the page is known to take comments."""
    page = target.get_absolute_url()
    if not service.is_open(target, now):
        raise RefusedError(
            _message(request, 403, "Comments are closed", "This page takes no more comments.", page)
        )
    if not parent_id:
        return None
    parent = Comment.objects.filter(pk=parent_id, **{service.kind_of(target): target}).first()
    if parent is None or not service.can_reply(parent):
        raise RefusedError(
            _message(
                request,
                400,
                "Cannot reply here",
                "That comment takes no replies.",
                page + "#comments",
            )
        )
    return parent


@never_cache
@require_safe
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The form again, answering one comment (the link under it leads here, so pages need
    no script to move a form around)."""
    parent = get_object_or_404(Comment, pk=pk, status=Status.APPROVED)
    target = service.target_of(parent)
    if not service.is_open(target, timezone.now()) or not service.can_reply(parent):
        return _message(
            request,
            403,
            "Cannot reply here",
            "That comment takes no replies.",
            target.get_absolute_url() + "#comments",
        )
    return _form_page(request, None, target, parent)


def _own(request: HttpRequest, pk: int) -> tuple[Comment | None, HttpResponse | None]:
    comment = get_object_or_404(Comment, pk=pk)
    if not service.can_edit(comment, _own_ids(request), timezone.now()):
        minutes = int(service.conf("EDIT_MINUTES"))
        return None, _message(
            request,
            403,
            "Cannot change this comment",
            f"A comment can be changed for {minutes} minutes, from the browser that sent it.",
        )
    return comment, None


@never_cache
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change one's own comment (Django's CSRF token protects this form)."""
    comment, refused = _own(request, pk)
    if comment is None:
        return refused  # type: ignore[return-value]
    form = EditForm(request.POST if request.method == "POST" else {"text": comment.text})
    if request.method == "POST" and form.is_valid():
        service.edit(comment, form.cleaned_data["text"], timezone.now())
        return _back(comment)
    context = {
        "form": form,
        "comment": service.comment_data(comment),
        "until": comment.created_at + service.edit_window(),
        "page_url": comment.target_url(),
    }
    return render(request, "comments/edit.html", context, status=400 if form.errors else 200)


@never_cache
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one's own comment (Django's CSRF token protects this form)."""
    comment, refused = _own(request, pk)
    if comment is None:
        return refused  # type: ignore[return-value]
    url = comment.target_url()
    service.erase(comment)
    return SeeOther(url + "#comments")


ACTION_LABELS = {"approve": "Approve", "delete": "Delete", "spam": "Mark as spam"}


@never_cache
def moderate(request: HttpRequest, token: str) -> HttpResponse:
    """A moderator's e-mailed link: the comment and one button. The action waits for that
    button (a POST with Django's CSRF token) because mail scanners and link previews open
    links by themselves."""
    found = tokens.moderation_of(token)
    comment = Comment.objects.filter(pk=found[0]).first() if found else None
    if found is None or comment is None or int(comment.created_at.timestamp()) != found[1]:
        return _message(
            request,
            400,
            "Link not valid",
            "This moderation link is broken, expired, or its comment is gone.",
        )
    action = found[2]
    if comment.status == Status.REMOVED:
        return _message(request, 410, "Comment removed", "Its author removed this comment.")
    if request.method == "POST":
        {"approve": service.approve, "spam": service.mark_spam, "delete": service.erase}[action](
            comment
        )
        done = {"approve": "approved", "spam": "marked as spam", "delete": "deleted"}[action]
        return _message(
            request,
            200,
            f"Comment {done}",
            f"The comment by {comment.name} was {done}.",
            comment.target_url() + "#comments",
        )
    context = {
        "title": f"{ACTION_LABELS[action]} this comment?",
        "comment": service.comment_data(comment),
        "status": comment.get_status_display(),
        "button": ACTION_LABELS[action],
        "page_url": comment.target_url(),
    }
    return render(request, "comments/confirm.html", context)


@never_cache
def forget(request: HttpRequest) -> HttpResponse:
    """ "Delete my data": a link to erase every comment sent with an address goes to that
    address, so only its owner can use it. The answer is the same whether or not there are
    comments under it, so the form tells no one who commented."""
    form = ForgetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        network = addresses.truncate(addresses.client_ip(request))
        wait = throttle.hit(f"mail:{network}", timezone.now())
        if wait:
            return _too_many(request, wait)
        email = form.cleaned_data["email"].strip().lower()
        if Comment.objects.filter(email=email).exists():
            tasks.send_forget_link(email, base_url(request))
        return _message(
            request,
            200,
            "Check your e-mail",
            "If comments were sent with that address, a link to delete them is on its way.",
        )
    return render(request, "comments/forget.html", {"form": form})


@never_cache
def forget_confirm(request: HttpRequest, token: str) -> HttpResponse:
    email = tokens.forget_of(token)
    if email is None:
        return _message(
            request, 400, "Link not valid", "This link is broken or expired; ask for a new one."
        )
    if request.method == "POST":
        erased = service.forget(email)
        return _message(
            request,
            200,
            "Comments deleted",
            f"{erased} comment{'' if erased == 1 else 's'} deleted.",
        )
    context: dict[str, Any] = {
        "title": "Delete all your comments?",
        "text": f"Every comment sent with {email} will be deleted. This cannot be undone.",
        "button": "Delete them all",
    }
    return render(request, "comments/confirm.html", context)


@require_safe
def avatar(request: HttpRequest, key: str) -> HttpResponse:
    """An identicon; the same key always draws the same picture, so browsers keep it."""
    response = HttpResponse(avatars.svg(key), content_type="image/svg+xml")
    response["Cache-Control"] = f"public, max-age={int(timedelta(days=365).total_seconds())}"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
