"""Pictures of the marketplace: gig galleries (the first picture is the gig's card image)
and freelancers' avatars, all through ``kit.images`` (type from the content, re-encoded,
metadata stripped) and kept in object storage."""
