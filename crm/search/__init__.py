"""The CRM's complex search: expressions stored as data (`expression`), saved searches
(`saved`) and exports of the clients found (`export`)."""
