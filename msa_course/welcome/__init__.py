"""Chapter 00: where this course sits in the microservice pattern landscape."""
