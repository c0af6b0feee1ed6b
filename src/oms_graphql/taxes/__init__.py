"""Tax rates per country, or per province of a country, managed through the API."""
