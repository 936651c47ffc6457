"""Staff: onboarding by invite, naming people in commands, team admin (with their caseload looked
after), and data requests about a client. Never imports `telegram`."""
