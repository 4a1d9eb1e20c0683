"""The dashboard's pages; each module has one ``render(ctx)`` function."""
