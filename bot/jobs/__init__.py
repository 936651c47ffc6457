"""What the scheduler runs, scheduled in one place (`schedule`), and the one delivery path
that sends what the database says is owed (`delivery`)."""
