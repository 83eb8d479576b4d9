"""The question bank view: the filterable table of questions and the detail of one."""
