"""Fees, orders, card gateway flow, cash, signed e-invoices (PDF + structured XML) and bank statement import with automatic and manual reconciliation."""
