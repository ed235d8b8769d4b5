"""Roadshows (路演): events, agenda slots, registrations, live state. Built in a later issue."""
