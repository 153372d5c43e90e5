"""HubSpot connector."""
