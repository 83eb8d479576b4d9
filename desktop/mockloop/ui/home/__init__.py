"""Home: the loop overview, the interviewers, the models' status and the practice plan."""
