"""The signed-in user's dashboard and marking their notifications read."""
