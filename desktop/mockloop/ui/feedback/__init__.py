"""The Feedback view: scores, rubric evidence in the transcript, think-out-loud metrics and follow-ups of one answer."""
