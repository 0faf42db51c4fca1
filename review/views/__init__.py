"""The workflow's pages, one module per stage: self_diagnosis, rechecks, scoring, verdicts."""
