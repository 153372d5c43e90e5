"""CRM connectors and their sandbox fakes."""
