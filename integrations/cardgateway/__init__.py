"""Card payment gateway (modelled on OTP SimplePay API v2): client, contract, simulator."""
