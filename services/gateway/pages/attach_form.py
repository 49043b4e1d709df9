"""What the visit form tells its file fields (static/attach.js, docs/attachments.md): the
visits service's limits as configured, how the phone downscales a photo, and how much the
phone keeps waiting to be sent. Plain rules: no broker, no store.

The budget is the phone's, not the server's: files wait in IndexedDB with the visit in the
outbox (localStorage cannot hold megabytes), and a phone's browser may refuse a site far more
than this; 20 MB holds a meeting's photos downscaled (≈ 300 KB each) many times over, and never
less than one file as large as the server takes.
"""
from services.gateway.pages import i18n

OUTBOX_FILES_BUDGET = 20_000_000
# a photo is redrawn on the phone to at most this many pixels on its longer side, as JPEG at
# this quality: a 12 MP camera photo (≈ 4 MB) becomes ≈ 300 KB, legible on a page and in print
PHOTO_LONGER_SIDE = 1600
PHOTO_QUALITY = 0.8
# what the file fields offer (the server reads the type from the content, not from this)
ACCEPT = ("image/jpeg,image/png,image/webp,image/heic,.pdf,.doc,.docx,.xls,.xlsx,"
          "application/pdf")
WORDS = ("attach_hint", "attach_too_large", "files_too_many", "files_over_budget",
         "file_unreadable", "file_remove", "file_not_sent", "file_lost", "files_waiting")


def megabytes(size, language):
    """A size in MB as the form says it: ``8`` for 8,000,000 bytes, ``2,5`` (``2.5`` in
    English) for 2,500,000."""
    said = str(round(size / 1_000_000, 1) if size % 1_000_000 else size // 1_000_000)
    return said if language == "en" else said.replace(".", ",")


def form_limits(config):
    """The limits the form's script enforces before keeping a file, from the gateway's
    settings (the same ``ATTACHMENT_*`` keys the visits service checks with)."""
    max_bytes = config["ATTACHMENT_MAX_BYTES"]
    return {"max_bytes": max_bytes, "per_item": config["ATTACHMENTS_PER_ITEM"],
            "per_visit": config["ATTACHMENTS_PER_VISIT"],
            "budget_bytes": max(OUTBOX_FILES_BUDGET, max_bytes),
            "photo_side": PHOTO_LONGER_SIDE, "photo_quality": PHOTO_QUALITY}


def form_words(limits, language):
    """The file fields' words in the page's language, the limits written in."""
    numbers = {"max_mb": megabytes(limits["max_bytes"], language), "per_item": limits["per_item"],
               "per_visit": limits["per_visit"], "side": limits["photo_side"],
               "budget_mb": megabytes(limits["budget_bytes"], language),
               # filled in by the script, file by file
               **{slot: "{%s}" % slot for slot in ("name", "size", "reason", "used")}}
    said = {key: i18n.text(key, language, **numbers) for key in WORDS}
    # why the visit went without a file it named (its answer's attachments_refused)
    said["refused_unknown"] = i18n.text("reason.attachment_unknown", language)
    said["refused_too_many"] = i18n.text("reason.too_many_attachments", language,
                                         max=limits["per_item"])
    return said


def form_context(limits, language):
    """What visit_form.html renders its file fields with."""
    return {"attach_limits": limits, "attach_words": form_words(limits, language),
            "attach_accept": ACCEPT}
