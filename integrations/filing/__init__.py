"""Filing system (Poszeidon, iktatórendszer): arrivals, issued documents, deliveries — client,
contract, simulator."""
