"""Staff: console accounts and roles, and the audit log of every change staff make."""
