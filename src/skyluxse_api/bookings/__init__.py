"""Bookings: lifecycle, money, extensions, tags, rating and the operations board."""
