"""The web pages: HTML shells served by the app, whose small JavaScript modules call the JSON API."""
