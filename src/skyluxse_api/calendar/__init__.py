"""The fleet calendar: rentals from bookings beside maintenance and repair entries."""
