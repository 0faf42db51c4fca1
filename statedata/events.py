"""What happened in the state data, announced for whoever listens (the workbenches' stored
counts): ``statedata`` never calls them. Results are written in bulk, which sends no model
signal, so the recompute says so here, inside its transaction."""

from django.dispatch import Signal

# Indicators, cards and warnings were written for some school-years; kwargs: written (rows).
results_computed = Signal()
