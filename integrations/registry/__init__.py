"""Person-and-address registry (személy- és lakcímnyilvántartás): client, contract, simulator."""
