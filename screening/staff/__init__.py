"""Staff accounts and the four-eyes approvals that change them."""
