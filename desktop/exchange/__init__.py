"""Moving data in and out: USB exchange packages, consolidation, Excel workbooks."""
