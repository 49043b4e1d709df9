"""The accounts service's reads: a token's principal, the recent revocations of tokens, users
for their administrators."""
from services.accounts import store
from shared.errors import Unauthorized


def principal_for(db, user_id, token_version):
    """The principal of a token's user, if the token's version is still current."""
    user = store.token_holder(db, user_id)
    if user is None or not user["enabled"] or user["token_version"] != token_version:
        raise Unauthorized("access token was revoked; sign in again",
                           {"token": ["revoked"]})
    return {"user_id": user["_id"], "role": user["role"], "cadre_id": user["cadre_id"],
            "authority_id": user["authority_id"],
            "authority_head": user.get("authority_head", False)}


def revocations_since(db, since):
    """The last revocation of each user revoked at or after ``since``."""
    return [{"user_id": user["_id"], "token_version": user["token_version"],
             "revoked_at": user["revoked_at"]} for user in store.recent_revocations(db, since)]


def list_users(db, query):
    page = store.users_page(db, query)
    return {"users": page["items"], "next_cursor": page["next_cursor"]}


def user_names(db, user_ids):
    return store.users_named(db, user_ids)


def get_user(db, user_id):
    return store.find_user(db, user_id)
