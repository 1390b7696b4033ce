"""What each workflow rule runs. Rules pass paths and params; these functions do the work."""
