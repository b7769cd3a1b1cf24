"""The moderation steps, by concern. Each is a function of the `Submission` returning a
`Verdict` or None; they are named (and stored) by their paths under comments.moderation."""
