"""Supervisor reports: periods, collecting the figures, rendering them, the chart, the export and
the weekly digest. Never imports `telegram`."""
