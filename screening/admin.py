"""Django admin for the screening app. Patient data is not browsable here: staff use the workspace."""
