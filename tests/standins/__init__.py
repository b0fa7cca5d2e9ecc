"""Real local stand-ins for outside services, speaking their wire protocols over loopback."""
