"""Cases (办件): intake, acceptance, review, decision, result and delivery."""
