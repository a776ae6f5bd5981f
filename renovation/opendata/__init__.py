"""Open data for everyone who builds on it: OC4IDS project packages, Atom feeds, bulk CSV and
Excel downloads, and the catalogue page (/open-data/) that lists every dataset with its licence,
update frequency and schema."""
