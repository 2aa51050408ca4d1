"""Writes of segments: saved searches, tags, groups, and tagging or grouping clients — one at a
time from the client's page, or every client a search finds at once.

    saved_search_save(saved_search=None, name=..., description=..., expression=..., user=...)
    saved_search_delete(saved_search=..., user=...)
    tag_get_or_create(name=..., user=...)                     -> (Tag, created)
    group_create(name=..., description=..., user=...)        -> ClientGroup
    tags_bulk_apply(clients=qs, tag_names=[...], remove=..., user=...)          -> rows changed
    groups_bulk_apply(clients=qs, group=..., remove=..., valid_from=..., ...)   -> rows changed
    client_tag_add / client_tag_remove / client_group_add / client_group_remove (one client)

A bulk change is one `INSERT … SELECT … ON CONFLICT DO NOTHING` (or one `DELETE … WHERE
client_id IN (…)`) per tag or group, with the search as a subquery: a hundred thousand clients
are one statement, not a hundred thousand. It is audited once (what, how many, by which search)
rather than written into every client's history; a change made on one client's page is in that
client's history.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from crm.errors import CrmError, ErrorCode
from crm.models import (
    Client,
    ClientChange,
    ClientGroup,
    ClientState,
    ClientTag,
    GroupMembership,
    SavedSearch,
    Tag,
)
from crm.search.expression import expression_validate

TAG_NAME_MAX = Tag._meta.get_field("name").max_length
GROUP_NAME_MAX = ClientGroup._meta.get_field("name").max_length
SAVED_SEARCH_NAME_MAX = SavedSearch._meta.get_field("name").max_length
#: Tags one bulk action may name.
MAX_BULK_TAGS = 20


def _user_or_none(user):
    return user if user is not None and getattr(user, "pk", None) else None


def _name(value: Any, *, field: str, max_length: int) -> str:
    """A name with its whitespace collapsed; empty or too long is a field error."""
    name = " ".join(str(value or "").split())
    if not name:
        message = _("Give a name.")
        raise CrmError(ErrorCode.INVALID, message, fields={field: [message]})
    if len(name) > max_length:
        message = _("The name can be at most %(count)s characters long.") % {"count": max_length}
        raise CrmError(ErrorCode.INVALID, message, fields={field: [message]})
    return name


def _duplicate_name(field: str = "name") -> CrmError:
    message = _("This name is already used; choose another one.")
    return CrmError(ErrorCode.DUPLICATE_NAME, message, fields={field: [message]})


# --- saved searches ------------------------------------------------------------------------------
def saved_search_save(
    *, saved_search: SavedSearch | None = None, name: str, description: str = "", expression: Any, user
) -> SavedSearch:
    """Create a saved search, or change one (name, description, expression). The expression is
    checked (tags, groups, service types must exist) and stored in its normalised form."""
    name = _name(name, field="name", max_length=SAVED_SEARCH_NAME_MAX)
    normalised = expression_validate(expression)
    description = (description or "").strip()
    clash = SavedSearch.objects.filter(name__iexact=name)
    if saved_search is not None:
        clash = clash.exclude(pk=saved_search.pk)
    if clash.exists():
        raise _duplicate_name()
    created = saved_search is None
    with transaction.atomic():
        if created:
            saved_search = SavedSearch(created_by=_user_or_none(user))
        saved_search.name = name
        saved_search.description = description
        saved_search.expression = normalised
        try:
            with transaction.atomic():
                saved_search.save()
        except IntegrityError as exc:  # a concurrent save took the name
            raise _duplicate_name() from exc
        log(instance=saved_search, action="wagtail.create" if created else "wagtail.edit", user=_user_or_none(user))
    return saved_search


def saved_search_delete(*, saved_search: SavedSearch, user) -> None:
    with transaction.atomic():
        log(
            instance=saved_search,
            action="wagtail.delete",
            user=_user_or_none(user),
            data={"name": saved_search.name, "expression": saved_search.expression},
        )
        saved_search.delete()


# --- tags and groups -----------------------------------------------------------------------------
def tag_get_or_create(*, name: str, user, description: str = "") -> tuple[Tag, bool]:
    """The tag of this name (capitals do not matter: "nyugdíjas" is "Nyugdíjas"), created if new."""
    name = _name(name, field="name", max_length=TAG_NAME_MAX)
    existing = Tag.objects.filter(name__iexact=name).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            tag = Tag.objects.create(name=name, description=(description or "").strip()[:300])
            log(instance=tag, action="wagtail.create", user=_user_or_none(user))
    except IntegrityError:  # created meanwhile by someone else
        return Tag.objects.get(name__iexact=name), False
    return tag, True


def tag_create(*, name: str, description: str = "", user) -> Tag:
    """A new tag; a name already used (capitals aside) is `DUPLICATE_NAME`."""
    tag, created = tag_get_or_create(name=name, description=description, user=user)
    if not created:
        raise _duplicate_name()
    return tag


def group_create(*, name: str, description: str = "", user) -> ClientGroup:
    name = _name(name, field="name", max_length=GROUP_NAME_MAX)
    if ClientGroup.objects.filter(name__iexact=name).exists():
        raise _duplicate_name()
    try:
        with transaction.atomic():
            group = ClientGroup.objects.create(
                name=name, description=(description or "").strip(), created_by=_user_or_none(user)
            )
            log(instance=group, action="wagtail.create", user=_user_or_none(user))
    except IntegrityError as exc:
        raise _duplicate_name() from exc
    return group


def validity_check(valid_from: datetime.date | None, valid_until: datetime.date | None) -> None:
    if valid_from and valid_until and valid_from > valid_until:
        message = _("The membership cannot end before it starts.")
        raise CrmError(ErrorCode.INVALID, message, fields={"valid_until": [message]})


# --- bulk: every client of a search at once ------------------------------------------------------
def _active_ids_sql(clients: QuerySet) -> tuple[str, tuple]:
    """The ids of the queryset's active clients as SQL for a subquery."""
    ids = clients.filter(state=ClientState.ACTIVE).order_by().values("pk")
    sql, params = ids.query.sql_with_params()
    return sql, tuple(params)


def _tags_for(names: list[str], *, remove: bool, user) -> list[Tag]:
    cleaned = list(dict.fromkeys(_name(name, field="tags", max_length=TAG_NAME_MAX) for name in names or []))
    if not cleaned:
        message = _("Name at least one tag.")
        raise CrmError(ErrorCode.INVALID, message, fields={"tags": [message]})
    if len(cleaned) > MAX_BULK_TAGS:
        message = _("At most %(count)s tags at a time.") % {"count": MAX_BULK_TAGS}
        raise CrmError(ErrorCode.INVALID, message, fields={"tags": [message]})
    if not remove:
        return [tag_get_or_create(name=name, user=user)[0] for name in cleaned]
    tags = []
    for name in cleaned:
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            message = _("There is no tag named “%(name)s”.") % {"name": name}
            raise CrmError(ErrorCode.NOT_FOUND, message, fields={"tags": [message]}, http_status=400)
        tags.append(tag)
    return tags


def tags_bulk_apply(
    *,
    clients: QuerySet,
    tag_names: list[str],
    remove: bool,
    user,
    expression: Any = None,
    saved_search: SavedSearch | None = None,
) -> int:
    """Add the tags to (or remove them from) every active client of `clients`, e.g.
    `clients_matching(expression)`. Tags to add are created if new. Returns how many client–tag
    pairs were added or removed: running it again changes nothing and returns 0. One audit
    entry per tag, with the count and the search (`expression`, `saved_search`) if given."""
    tags = _tags_for(tag_names, remove=remove, user=user)
    sql, params = _active_ids_sql(clients)
    actor = _user_or_none(user)
    total = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for tag in tags:
            if remove:
                cursor.execute(
                    f"DELETE FROM {ClientTag._meta.db_table} WHERE tag_id = %s AND client_id IN ({sql})",  # noqa: S608
                    (tag.pk, *params),
                )
            else:
                cursor.execute(
                    f"INSERT INTO {ClientTag._meta.db_table} (client_id, tag_id, added_by_id, added_at) "  # noqa: S608
                    f"SELECT ids.id, %s, %s, %s FROM ({sql}) AS ids (id) "
                    "ON CONFLICT (client_id, tag_id) DO NOTHING",
                    (tag.pk, actor.pk if actor else None, timezone.now(), *params),
                )
            count = max(cursor.rowcount, 0)
            total += count
            log(
                instance=tag,
                action="crm.tag_bulk_removed" if remove else "crm.tag_bulk_added",
                user=actor,
                data=_bulk_data(count, expression, saved_search, tag=tag.name),
            )
    return total


def groups_bulk_apply(
    *,
    clients: QuerySet,
    group: ClientGroup,
    remove: bool,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    user,
    expression: Any = None,
    saved_search: SavedSearch | None = None,
) -> int:
    """Add every active client of `clients` to the group with the validity dates (a member
    already in it gets the new dates), or remove them from it. Returns how many memberships were
    added, changed or removed; running it again returns 0. One audit entry."""
    validity_check(valid_from, valid_until)
    sql, params = _active_ids_sql(clients)
    actor = _user_or_none(user)
    table = GroupMembership._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if remove:
            cursor.execute(
                f"DELETE FROM {table} WHERE group_id = %s AND client_id IN ({sql})",  # noqa: S608
                (group.pk, *params),
            )
        else:
            cursor.execute(
                f"INSERT INTO {table} (group_id, client_id, valid_from, valid_until, added_by_id, added_at) "  # noqa: S608
                f"SELECT %s, ids.id, %s, %s, %s, %s FROM ({sql}) AS ids (id) "
                "ON CONFLICT (group_id, client_id) DO UPDATE "
                "SET valid_from = EXCLUDED.valid_from, valid_until = EXCLUDED.valid_until "
                f"WHERE {table}.valid_from IS DISTINCT FROM EXCLUDED.valid_from "
                f"OR {table}.valid_until IS DISTINCT FROM EXCLUDED.valid_until",
                (group.pk, valid_from, valid_until, actor.pk if actor else None, timezone.now(), *params),
            )
        count = max(cursor.rowcount, 0)
        data = _bulk_data(count, expression, saved_search, group=group.name)
        if not remove:
            data["valid_from"] = valid_from.isoformat() if valid_from else None
            data["valid_until"] = valid_until.isoformat() if valid_until else None
        log(
            instance=group,
            action="crm.group_bulk_removed" if remove else "crm.group_bulk_added",
            user=actor,
            data=data,
        )
    return count


def _bulk_data(count: int, expression: Any, saved_search: SavedSearch | None, **what) -> dict:
    data: dict[str, Any] = {"count": count, **what}
    if expression is not None:
        data["expression"] = expression
    if saved_search is not None:
        data["saved_search"] = {"id": saved_search.pk, "name": saved_search.name}
    return data


def clients_export_record(
    *, user, fmt: str, count: int, expression: Any, saved_search: SavedSearch | None = None, context: str
) -> None:
    """Audit trail: a staff member exported clients' personal data (recorded on that staff
    member, with the format, how many clients and which search)."""
    data = _bulk_data(count, expression, saved_search, format=fmt, context=context)
    log(instance=user, action="crm.clients_exported", user=user, data=data)


# --- one client, from its page: kept in the client's history -------------------------------------
def _active(client: Client) -> Client:
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.state != ClientState.ACTIVE:
        raise CrmError(ErrorCode.CLIENT_NOT_ACTIVE, _("A merged or erased client cannot be changed."))
    return client


def client_tag_add(*, client: Client, tag_name: str, user) -> Tag:
    """Tag one client (the tag is created if new); no change if it already has it."""
    tag, _created = tag_get_or_create(name=tag_name, user=user)
    with transaction.atomic():
        client = _active(client)
        _row, created = ClientTag.objects.get_or_create(
            client=client, tag=tag, defaults={"added_by": _user_or_none(user)}
        )
        if created:
            ClientChange.objects.create(
                client=client, action="tag_added", changes={"tags": {"added": [tag.name]}}, actor=_user_or_none(user)
            )
    return tag


def client_tag_remove(*, client: Client, tag: Tag, user) -> bool:
    with transaction.atomic():
        client = _active(client)
        deleted, _detail = ClientTag.objects.filter(client=client, tag=tag).delete()
        if deleted:
            ClientChange.objects.create(
                client=client,
                action="tag_removed",
                changes={"tags": {"removed": [tag.name]}},
                actor=_user_or_none(user),
            )
    return bool(deleted)


def _validity_text(valid_from, valid_until) -> str:
    return f"{valid_from.isoformat() if valid_from else '…'} – {valid_until.isoformat() if valid_until else '…'}"


def client_group_add(
    *,
    client: Client,
    group: ClientGroup,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    user,
) -> GroupMembership:
    """Put one client in the group (or change the validity of its membership)."""
    validity_check(valid_from, valid_until)
    with transaction.atomic():
        client = _active(client)
        membership = GroupMembership.objects.filter(client=client, group=group).first()
        if membership is None:
            membership = GroupMembership.objects.create(
                client=client,
                group=group,
                valid_from=valid_from,
                valid_until=valid_until,
                added_by=_user_or_none(user),
            )
            changes = {"groups": {"added": [f"{group.name} ({_validity_text(valid_from, valid_until)})"]}}
        elif (membership.valid_from, membership.valid_until) != (valid_from, valid_until):
            before = _validity_text(membership.valid_from, membership.valid_until)
            membership.valid_from, membership.valid_until = valid_from, valid_until
            membership.save(update_fields=["valid_from", "valid_until"])
            changes = {"groups": {"changed": [f"{group.name}: {before} → {_validity_text(valid_from, valid_until)}"]}}
        else:
            return membership
        ClientChange.objects.create(client=client, action="group_added", changes=changes, actor=_user_or_none(user))
    return membership


def client_group_remove(*, client: Client, group: ClientGroup, user) -> bool:
    with transaction.atomic():
        client = _active(client)
        deleted, _detail = GroupMembership.objects.filter(client=client, group=group).delete()
        if deleted:
            ClientChange.objects.create(
                client=client,
                action="group_removed",
                changes={"groups": {"removed": [group.name]}},
                actor=_user_or_none(user),
            )
    return bool(deleted)
